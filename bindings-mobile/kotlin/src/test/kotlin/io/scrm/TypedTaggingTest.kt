package io.scrm

import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.time.Duration
import java.time.Instant

/**
 * A tagging walkthrough with the typed API only, as the README tells it, then segments, merge,
 * resolution and decision chains checked against their JSON twins on the same data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TypedTaggingTest {
    private val playbook = Playbook.fromJson(readRepoFile("examples/playbooks/brand.json"))
    private val tagger = Tagger(playbook)
    private val t0 = Instant.parse("2026-03-15T02:00:00Z")

    @AfterAll
    fun close() {
        tagger.close()
        playbook.close()
    }

    private fun message(id: String, text: String, at: Instant = t0) =
        Event("chayuan-tea", id, "c1", "message", at, platform = "wecom", text = text)

    @Test
    fun aTypedTaggingWalkthrough() {
        val phone = normalizeIdentity("phone", "138 0013 8000")
        var customer = Customer("chayuan-tea", "c1", t0, identities = listOf(phone))

        // A pre-tag attached to the phone before the person became a customer (预打标).
        val pre = tagger.applyPreTags(customer, listOf(PreTag(phone, "企业礼品", t0.minus(Duration.ofDays(3)))))
        assertEquals(listOf(TagChange("ind_corporate_gift", "added", Provenance("pre_tag", null), pre.changes.single().reason)), pre.changes)
        customer = pre.customer

        // A chat message asking for a price: the keyword rule tags high intent.
        val asked = tagger.onEvent(customer, message("e1", "请问礼盒多少钱"))
        assertEquals(listOf("intent_high"), asked.changes.filter { it.action == "added" }.map { it.tagId }.filter { it.startsWith("intent") })
        assertEquals(Provenance("keyword", "kw_price"), asked.customer.tags.first { it.tagId == "intent_high" }.provenance)
        customer = asked.customer

        // Replaying the event changes nothing.
        val replay = tagger.onEvent(customer, message("e1", "请问礼盒多少钱"), listOf(message("e1", "请问礼盒多少钱")))
        assertEquals(emptyList<TagChange>(), replay.changes)
        assertEquals(customer, replay.customer)

        // A scan of the live-stream code: a tag that expires after the rule's 90 days.
        val scan = Event("chayuan-tea", "s1", "c1", "scan", t0, channelCode = "douyin-live-0315")
        customer = tagger.onEvent(customer, scan).customer
        val live = customer.tags.first { it.tagId == "src_douyin_live" }
        assertEquals(t0.plus(Duration.ofDays(90)), live.expiresAt)

        // By hand: a tag by display name, then off again.
        val tagged = tagger.tag(customer, "餐饮", t0.plusSeconds(60))
        assertEquals(listOf(TagChange("ind_catering", "added", Provenance("manual", null), "applied by hand")), tagged.changes)
        val untagged = tagger.untag(tagged.customer, "ind_catering")
        assertEquals(customer, untagged.customer)

        // Ninety days on the live-stream tag expires; the clock is never read.
        val expired = tagger.expire(customer, t0.plus(Duration.ofDays(90)))
        assertEquals(listOf("removed" to "src_douyin_live"), expired.changes.map { it.action to it.tagId })
        assertTrue(expired.customer.tags.none { it.tagId == "src_douyin_live" })

        // The same steps through the JSON twins give the same customer.
        var json = customerToJson(Customer("chayuan-tea", "c1", t0, identities = listOf(phone)))
        val preTags = JSONArray().put(JSONObject().put("identity", JSONObject().put("kind", "phone").put("value", phone.value))
            .put("tag", "企业礼品").put("at", t0.minus(Duration.ofDays(3)).toString())).toString()
        json = tagger.applyPreTagsJson(json, preTags).customerJson
        json = tagger.onEventJson(json, eventToJson(message("e1", "请问礼盒多少钱"))).customerJson
        json = tagger.onEventJson(json, eventToJson(scan)).customerJson
        assertEquals(customer, customerFromJson(json))
    }

    @Test
    fun typedErrorsOfTaggingNameTheirField() {
        val c = Customer("chayuan-tea", "c1", t0)
        assertEquals(listOf("tag"), assertThrows<ScrmException.Validation> { tagger.tag(c, "no such tag", t0) }.problems.map { it.path })
        assertEquals(listOf("event"), assertThrows<ScrmException.Validation> { tagger.onEvent(c, message("e1", "x").copy(customerId = "c2")) }.problems.map { it.path })
        assertEquals(listOf("tenant_id"), assertThrows<ScrmException.Validation> { tagger.untag(c.copy(tenantId = "other"), "餐饮") }.problems.map { it.path })
        assertEquals(
            listOf("pre_tags[1].identity.kind"),
            assertThrows<ScrmException.Validation> {
                tagger.applyPreTags(c, listOf(PreTag(normalizeIdentity("phone", "13800138000"), "餐饮", t0), PreTag(Identity("pager", "1", null, null, false), "餐饮", t0)))
            }.problems.map { it.path },
        )
    }

    private fun customer(id: String, created: String, vararg tags: String) = Customer(
        "chayuan-tea", id, Instant.parse(created),
        identities = listOf(normalizeIdentity("phone", "13800138000")),
        tags = tags.map { AppliedTag(it, t0, Provenance("manual", null)) },
        attributes = mapOf("orders" to Attribute(AttributeValue.Number("2"), t0)),
    )

    private val c1 = customer("c1", "2026-03-01T00:00:00Z", "intent_high")
    private val c2 = customer("c2", "2026-03-05T00:00:00Z")
    private val c3 = customer("c3", "2026-03-02T00:00:00Z", "intent_high").copy(identities = emptyList())
    private val all = listOf(c1, c2, c3)
    private val allJson = JSONArray(all.map { JSONObject(customerToJson(it)) }).toString()

    @Test
    fun segmentsAndConditionsMatchTheirJsonTwins() {
        Condition.parse("has_tag(\"高意向\") and count(event = \"message\", within = \"7d\") >= 1").use { c ->
            c.compile(playbook).use { compiled ->
                val history = listOf(message("e1", "你好", t0.minusSeconds(3600)))
                assertTrue(compiled.evaluate(c1, t0, history))
                assertEquals(false, compiled.evaluate(c1, t0))
                assertEquals(
                    compiled.evaluateJson(customerToJson(c1), JSONArray(history.map { JSONObject(eventToJson(it)) }).toString(), t0),
                    compiled.evaluate(c1, t0, history),
                )
                Segment(compiled, exclude = listOf("c3")).use { s ->
                    val histories = mapOf("c1" to history, "c3" to history.map { it.copy(customerId = "c3") })
                    val historiesJson = JSONObject(histories.mapValues { (_, es) -> JSONArray(es.map { JSONObject(eventToJson(it)) }) }).toString()
                    assertEquals(listOf("c1"), s.members(all, t0, histories))
                    assertEquals(s.membersJson(allJson, t0, historiesJson), s.members(all, t0, histories))
                }
            }
        }
        Condition.parse("score >= 60").use { c -> c.compile(playbook).use { compiled ->
            Segment(compiled).use { s -> assertEquals(listOf("c2"), s.members(all, t0, scores = mapOf("c1" to "10", "c2" to "72.5"))) }
            assertTrue(compiled.evaluate(c1, t0, score = "60"))
            assertEquals(listOf("score"), assertThrows<ScrmException.Validation> { compiled.evaluate(c1, t0, score = "sixty") }.problems.map { it.path })
        } }
    }

    @Test
    fun resolveAndMergeMatchTheirJsonTwins() {
        assertEquals(resolveJson(allJson), resolve(all))
        assertEquals(listOf(listOf("c1", "c2"), listOf("c3")), resolve(all).sortedBy { it.first() })

        val policy = MergePolicy(MergeStrategy.NEWEST_NON_EMPTY, attributes = mapOf("orders" to MergeStrategy.SUM))
        val merged = merge(listOf(c2, c1), policy)
        assertEquals("c1", merged.customer.id)
        assertEquals(listOf("c2"), merged.absorbed)
        assertEquals(listOf("c2"), merged.customer.mergedIds)
        assertEquals(AttributeValue.Number("4"), merged.customer.attributes["orders"]?.value)
        val viaJson = mergeJson(JSONArray(listOf(c2, c1).map { JSONObject(customerToJson(it)) }).toString(), """{"attributes": {"orders": "sum"}}""")
        assertEquals(customerFromJson(viaJson), merged.customer)
        // No policy: every attribute newest_non_empty.
        assertEquals(AttributeValue.Number("2"), merge(listOf(c1, c2)).customer.attributes["orders"]?.value)
        assertEquals(listOf("tenant_id"), assertThrows<ScrmException.Validation> { merge(listOf(c1, c2.copy(tenantId = "other"))) }.problems.map { it.path })
    }

    @Test
    fun decisionChainsMatchTheirJsonTwin() {
        val account = Account(
            "chayuan-tea", "acc-1", "华东餐饮集团",
            listOf(
                Contact("c-ceo", "总经理", listOf(ContactRole.DECISION_MAKER)),
                Contact("c-buyer", "采购经理", listOf(ContactRole.CHAMPION, ContactRole.USER), reportsTo = "c-ceo"),
                Contact("c-assistant", roles = listOf(ContactRole.GATEKEEPER), influences = listOf("c-ceo")),
            ),
        )
        val json = """{"tenant_id": "chayuan-tea", "id": "acc-1", "name": "华东餐饮集团", "contacts": [
            {"customer_id": "c-ceo", "title": "总经理", "roles": ["decision_maker"]},
            {"customer_id": "c-buyer", "title": "采购经理", "roles": ["champion", "user"], "reports_to": "c-ceo"},
            {"customer_id": "c-assistant", "roles": ["gatekeeper"], "influences": ["c-ceo"]}]}"""
        val chain: DecisionChain = decisionChain(account)
        assertEquals(decisionChainJson(json), chain)
        assertEquals(listOf("c-ceo"), chain.decisionMakers)
        val loop = account.copy(contacts = account.contacts.map { if (it.customerId == "c-ceo") it.copy(reportsTo = "c-buyer") else it })
        assertEquals(listOf("contacts"), assertThrows<ScrmException.Validation> { decisionChain(loop) }.problems.map { it.path })
    }
}
