package io.scrm

import org.json.JSONObject
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.time.Instant

/** Segment, decision chains and hand tagging through the binding: types returned, errors with paths. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SegmentTest {
    private val playbook = Playbook.fromJson(readRepoFile("examples/playbooks/brand.json"))
    private val tagger = Tagger(playbook)
    private val now = Instant.parse("2026-03-15T00:00:00Z")

    @AfterAll
    fun close() {
        tagger.close()
        playbook.close()
    }

    private fun customer(id: String, vararg tags: String) = JSONObject()
        .put("tenant_id", "chayuan-tea").put("id", id).put("created_at", "2026-03-01T00:00:00Z")
        .put("tags", tags.map { JSONObject().put("tag_id", it).put("applied_at", "2026-03-02T00:00:00Z").put("provenance", JSONObject().put("kind", "manual")) })

    private val customers = listOf(customer("c1", "intent_high"), customer("c2"), customer("c3", "intent_high")).toString()

    private fun segment(condition: String, include: List<String> = emptyList(), exclude: List<String> = emptyList()): Segment =
        Condition.parse(condition).use { c -> c.compile(playbook).use { Segment(it, include, exclude) } }

    @Test
    fun membersAreInInputOrderWithIncludeAndExclude() {
        segment("has_tag(\"高意向\")").use { assertEquals(listOf("c1", "c3"), it.membersJson(customers, now)) }
        segment("has_tag(\"高意向\")", include = listOf("c2"), exclude = listOf("c3", "c1")).use { s ->
            val members: List<String> = s.membersJson(customers, now)
            assertEquals(listOf("c2"), members)
            assertEquals(listOf("c1", "c3"), s.excluded())
            assertEquals(listOf("c2"), s.included())
            assertEquals(Condition.parse("has_tag(\"高意向\")"), s.condition())
        }
        // The defaults: no manual overrides.
        Condition.parse("score >= 60").use { c -> c.compile(playbook).use { compiled -> Segment(compiled).use { s ->
            assertEquals(listOf("c2"), s.membersJson(customers, now, scoresJson = """{"c1": "10", "c2": "72.5"}"""))
            assertEquals(emptyList<String>(), s.included())
        } } }
    }

    @Test
    fun segmentErrorsHavePaths() {
        segment("score >= 60").use { s ->
            assertEquals(listOf("scores.c2"), assertThrows<ScrmException.Validation> { s.membersJson(customers, now, null, """{"c2": "high"}""") }.problems.map { it.path })
            assertEquals(listOf("customers"), assertThrows<ScrmException.Parse> { s.membersJson("[", now) }.problems.map { it.path })
            assertEquals(listOf("histories"), assertThrows<ScrmException.Parse> { s.membersJson(customers, now, "{") }.problems.map { it.path })
        }
    }

    @Test
    fun decisionChainIsATypedRecord() {
        val account = """{"tenant_id": "chayuan-tea", "id": "acc", "name": "华东餐饮集团", "contacts": [
            {"customer_id": "ceo", "roles": ["decision_maker"]},
            {"customer_id": "buyer", "roles": ["champion"], "reports_to": "ceo"}]}"""
        val chain: DecisionChain = decisionChainJson(account)
        assertEquals(DecisionChain(listOf("ceo"), listOf("buyer"), listOf("buyer"), emptyList(), emptyList()), chain)
        assertEquals(listOf("ceo"), chain.decisionMakers)
    }

    @Test
    fun decisionChainErrorsHavePaths() {
        val unknownManager = """{"tenant_id": "chayuan-tea", "id": "acc", "name": "x", "contacts": [{"customer_id": "a", "reports_to": "zz"}]}"""
        val e = assertThrows<ScrmException.Validation> { decisionChainJson(unknownManager) }
        assertEquals(listOf("contacts[0].reports_to"), e.problems.map { it.path })
        assertEquals(listOf("account"), assertThrows<ScrmException.Parse> { decisionChainJson("{") }.problems.map { it.path })
    }

    @Test
    fun handTaggingReturnsTagResults() {
        val start = customer("c1").toString()
        val tagged: TagResult = tagger.tagJson(start, "高意向", Instant.parse("2026-03-02T00:00:00Z"))
        assertEquals(listOf(TagChange("intent_high", "added", Provenance("manual", null), "applied by hand")), tagged.changes)
        assertEquals(emptyList<TagChange>(), tagger.tagJson(tagged.customerJson, "intent_high", now).changes)
        val untagged = tagger.untagJson(tagged.customerJson, "intent_high")
        assertEquals(listOf("removed" to "intent_high"), untagged.changes.map { it.action to it.tagId })
        assertEquals(0, JSONObject(untagged.customerJson).getJSONArray("tags").length())
        assertEquals(emptyList<TagChange>(), tagger.untagJson(untagged.customerJson, "intent_high").changes)
    }

    @Test
    fun expiryAndPreTags() {
        val expiring = JSONObject(customer("c1").toString()).put("tags", listOf(JSONObject().put("tag_id", "src_douyin_live")
            .put("applied_at", "2026-03-01T00:00:00Z").put("provenance", JSONObject().put("kind", "manual"))
            .put("expires_at", "2026-05-30T00:00:00Z"))).toString()
        assertEquals(emptyList<TagChange>(), tagger.expireJson(expiring, Instant.parse("2026-05-29T23:59:59Z")).changes)
        assertEquals(listOf(TagChange("src_douyin_live", "removed", Provenance("manual", null), "expired")).map { it.tagId to it.action },
            tagger.expireJson(expiring, Instant.parse("2026-05-30T00:00:00Z")).changes.map { it.tagId to it.action })

        val withPhone = JSONObject(customer("c1").toString()).put("identities", listOf(JSONObject().put("kind", "phone").put("value", "+8613800138000"))).toString()
        val preTags = """[{"identity": {"kind": "phone", "value": "+8613800138000"}, "tag": "门店扫码", "at": "2026-02-20T00:00:00Z"},
            {"identity": {"kind": "email", "value": "x@y.com"}, "tag": "酒店", "at": "2026-02-20T00:00:00Z"}]"""
        val result = tagger.applyPreTagsJson(withPhone, preTags)
        assertEquals(listOf(Triple("src_store", "added", "pre_tag")), result.changes.map { Triple(it.tagId, it.action, it.provenance.kind) })
    }

    @Test
    fun handTaggingErrorsHavePaths() {
        val start = customer("c1").toString()
        assertEquals(listOf("tag"), assertThrows<ScrmException.Validation> { tagger.tagJson(start, "黑名单", now) }.problems.map { it.path })
        assertEquals(listOf("customer"), assertThrows<ScrmException.Parse> { tagger.untagJson("{", "intent_high") }.problems.map { it.path })
        assertEquals(listOf("customer"), assertThrows<ScrmException.Parse> { tagger.expireJson("", now) }.problems.map { it.path })
        assertEquals(listOf("pre_tags"), assertThrows<ScrmException.Parse> { tagger.applyPreTagsJson(start, "[") }.problems.map { it.path })
    }
}
