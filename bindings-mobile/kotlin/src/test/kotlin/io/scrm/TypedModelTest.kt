package io.scrm

import org.json.JSONObject
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.time.Instant

/**
 * The typed data model (Customer, Event, ...) through the binding: conversions lose nothing
 * against the JSON shapes of docs/data-model.md, times keep their nanoseconds, numbers cross as
 * decimal strings, and every bad field is reported at its path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TypedModelTest {
    private val playbook = Playbook.fromJson(readRepoFile("examples/playbooks/brand.json"))
    private val tagger = Tagger(playbook)

    @AfterAll
    fun close() {
        tagger.close()
        playbook.close()
    }

    /** The `n`th JSON example of docs/data-model.md, so the doc and this test cannot drift apart. */
    private fun documented(n: Int): String =
        Regex("```json\\n(.*?)\\n```", RegexOption.DOT_MATCHES_ALL)
            .findAll(readRepoFile("docs/data-model.md")).map { it.groupValues[1] }.toList()[n]

    private val documentedCustomer = documented(0)
    private val documentedEvent = documented(1)

    private fun sameJson(expected: String, actual: String) =
        assertEquals(canonicalJson(JSONObject(expected)), canonicalJson(JSONObject(actual)))

    private fun problemPaths(work: () -> Unit): List<String> =
        assertThrows<ScrmException.Validation> { work() }.problems.map { it.path }

    private val t0 = Instant.parse("2026-03-15T02:00:00Z")

    @Test
    fun theDocumentedCustomerReadsAsTypedFields() {
        val c: Customer = customerFromJson(documentedCustomer)
        assertEquals("c-10001", c.id)
        assertEquals(t0, c.createdAt)
        assertEquals(Identity("custom", "M-88231", null, "erp_member_no", true), c.identities[3])
        assertEquals(Attribute(AttributeValue.Number("120"), Instant.parse("2026-03-15T02:05:00Z")), c.attributes["company_size"])
        assertEquals(AttributeValue.Text("上海"), c.attributes["city"]?.value)
        assertEquals(AttributeValue.Date("1990-05-01"), c.attributes["birthday"]?.value)
        assertEquals(AttributeValue.TextList(listOf("大红袍", "龙井")), c.attributes["favourite_teas"]?.value)
        assertEquals(
            AppliedTag("src_douyin_live", t0, Provenance("channel_code", "live_qr"), Instant.parse("2026-06-13T02:00:00Z")),
            c.tags[0],
        )
        assertEquals(Provenance("manual", null), c.tags[2].provenance)
        assertEquals(Touch(t0, "douyin", "douyin", "315-live", "douyin-live-0315"), c.touches.single())
        assertEquals(
            ConsentRecord("marketing", "wecom", ConsentStatus.GRANTED, Instant.parse("2026-03-15T02:01:00Z"), ConsentSource.CUSTOMER),
            c.consents.single(),
        )
        assertEquals(listOf(Follower("emp-li", t0)), c.followers)
        assertEquals("lead", c.stage)
    }

    @Test
    fun customerRoundTripLosesNothing() {
        val typed = customerFromJson(documentedCustomer)
        sameJson(documentedCustomer, customerToJson(typed))
        assertEquals(typed, customerFromJson(customerToJson(typed)))
    }

    @Test
    fun eventRoundTripKeepsPropertiesAsJson() {
        val e: Event = eventFromJson(documentedEvent)
        assertEquals("message", e.kind)
        assertEquals("wecom", e.platform)
        assertEquals(JSONObject().put("conversation_id", "conv-77").toMap(), JSONObject(e.propertiesJson).toMap())
        sameJson(documentedEvent, eventToJson(e))
        assertEquals("{}", Event("t", "e1", "c1", "message", t0).propertiesJson)
    }

    @Test
    fun theTypedPathGivesWhatTheJsonPathGives() {
        val typedCustomer = customerFromJson(documentedCustomer)
        val typedEvent = eventFromJson(documentedEvent)
        val viaJson = tagger.onEventJson(documentedCustomer, documentedEvent)
        val typed = tagger.onEvent(typedCustomer, typedEvent)
        assertTrue(typed.changes.isNotEmpty(), "the documented message asks for a price")
        assertEquals(viaJson.changes, typed.changes)
        sameJson(viaJson.customerJson, customerToJson(typed.customer))
        assertEquals(customerFromJson(viaJson.customerJson), typed.customer)
    }

    @Test
    fun instantsKeepTheirNanoseconds() {
        // The core keeps nanoseconds (chrono), and uniffi passes seconds + nanoseconds: nothing is
        // rounded on the JVM. (Swift's Date is a Double: about a microsecond there.)
        val precise = Instant.parse("2026-03-15T02:00:00.123456789Z")
        val beforeEpoch = Instant.parse("1969-07-20T20:17:40.000000001Z")
        val c = Customer(
            "chayuan-tea", "c1", precise,
            followers = listOf(Follower("emp-li", beforeEpoch)),
            ownerSince = Instant.parse("2026-03-15T02:00:00.000001Z"),
        )
        val json = JSONObject(customerToJson(c))
        assertEquals("2026-03-15T02:00:00.123456789Z", json.getString("created_at"))
        assertEquals(c, customerFromJson(json.toString()))
        val result = tagger.tag(c, "个人消费", precise)
        assertEquals(precise, result.customer.tags.single().appliedAt)
        assertEquals(beforeEpoch, result.customer.followers.single().since)
    }

    @Test
    fun numbersCrossAsDecimalStrings() {
        val c = Customer(
            "chayuan-tea", "c1", t0,
            attributes = mapOf(
                "a" to Attribute(AttributeValue.Number("0.1"), t0),
                "b" to Attribute(AttributeValue.Number("-3.25"), t0),
                "c" to Attribute(AttributeValue.Number("12.50"), t0),
                "d" to Attribute(AttributeValue.Number("120"), t0),
            ),
        )
        val back = customerFromJson(customerToJson(c)).attributes.mapValues { it.value.value }
        // The shortest decimal that reads back to the core's number: "12.50" comes back "12.5".
        assertEquals(
            mapOf("a" to "0.1", "b" to "-3.25", "c" to "12.5", "d" to "120"),
            back.mapValues { (it.value as AttributeValue.Number).value },
        )
        assertTrue(customerToJson(c).contains("{\"number\":0.1}"), customerToJson(c))
    }

    @Test
    fun badFieldsAreValidationErrorsAtTheirPaths() {
        val ok = Customer("chayuan-tea", "c1", t0)
        val event = Event("chayuan-tea", "e1", "c1", "message", t0, text = "多少钱")
        assertEquals(listOf("customer.identities[0].kind"), problemPaths { tagger.onEvent(ok.copy(identities = listOf(Identity("fax", "1", null, null, false))), event) })
        assertEquals(
            listOf("customer.attributes.size.value", "customer.attributes.when.value"),
            problemPaths {
                tagger.onEvent(ok.copy(attributes = sortedMapOf(
                    "size" to Attribute(AttributeValue.Number("12,5"), t0),
                    "when" to Attribute(AttributeValue.Date("2026-13-01"), t0),
                )), event)
            }.sorted(),
        )
        assertEquals(listOf("customer.attributes.x.value"), problemPaths { tagger.onEvent(ok.copy(attributes = mapOf("x" to Attribute(AttributeValue.Number("NaN"), t0))), event) })
        assertEquals(listOf("customer.touches[0].platform"), problemPaths { tagger.onEvent(ok.copy(touches = listOf(Touch(t0, "myspace"))), event) })
        assertEquals(listOf("customer.tags[0].provenance.id"), problemPaths { tagger.onEvent(ok.copy(tags = listOf(AppliedTag("intent_high", t0, Provenance("keyword", null)))), event) })
        assertEquals(listOf("customer.tags[0].provenance.kind"), problemPaths { tagger.onEvent(ok.copy(tags = listOf(AppliedTag("intent_high", t0, Provenance("robot", null)))), event) })
        assertEquals(listOf("customer.created_at"), problemPaths { tagger.onEvent(ok.copy(createdAt = Instant.MAX), event) })
        assertEquals(listOf("event.properties_json"), problemPaths { tagger.onEvent(ok, event.copy(propertiesJson = "[1]")) })
        assertEquals(listOf("event.platform"), problemPaths { tagger.onEvent(ok, event.copy(platform = "fax")) })
        assertEquals(listOf("event.id"), problemPaths { tagger.onEvent(ok, event.copy(id = " ")) })
        assertEquals(listOf("history[1].at"), problemPaths { tagger.onEvent(ok, event, listOf(event, event.copy(at = Instant.MIN))) })
        // The core's own checks, at the same path as through onEventJson.
        val unnormalised = ok.copy(identities = listOf(Identity("phone", "13800138000", null, null, false)))
        assertEquals(listOf("customer.identities[0].value"), problemPaths { tagger.onEvent(unnormalised, event) })
        // Every problem at once, on every customer of a list.
        assertEquals(
            listOf("customers[0].touches[0].platform", "customers[2].identities[0].kind"),
            problemPaths { resolve(listOf(ok.copy(touches = listOf(Touch(t0, "?"))), ok, ok.copy(identities = listOf(Identity("fax", "1", null, null, false))))) },
        )
        val e = assertThrows<ScrmException.Validation> { customerToJson(ok.copy(touches = listOf(Touch(t0, "myspace")))) }
        assertEquals(listOf("touches[0].platform"), e.problems.map { it.path })
        assertTrue(e.message!!.contains("myspace"), e.message)
    }
}
