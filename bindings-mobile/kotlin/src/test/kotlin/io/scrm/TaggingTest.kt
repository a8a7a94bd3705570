package io.scrm

import org.json.JSONObject
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** The Tagger object through the binding: records returned, errors, sharing between threads. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaggingTest {
    private val playbook = Playbook.fromJson(readRepoFile("examples/playbooks/brand.json"))
    private val tagger = Tagger(playbook)

    @AfterAll
    fun close() {
        tagger.close()
        playbook.close()
    }

    private val customer = """{"tenant_id": "chayuan-tea", "id": "c1", "created_at": "2026-03-01T00:00:00Z"}"""

    private fun message(id: String, text: String, tenant: String = "chayuan-tea") = JSONObject()
        .put("tenant_id", tenant).put("id", id).put("customer_id", "c1").put("type", "message")
        .put("at", "2026-03-15T02:00:00Z").put("text", text).toString()

    @Test
    fun anEventReturnsTheChangedCustomerAndTypedChanges() {
        val result: TagResult = tagger.onEventJson(customer, message("e1", "请问多少钱"), "[]")
        assertEquals(
            listOf(TagChange("intent_high", "added", Provenance("keyword", "kw_price"), "said \"多少钱\" in message (rule kw_price)")),
            result.changes,
        )
        val tags = JSONObject(result.customerJson).getJSONArray("tags")
        assertEquals(1, tags.length())
        assertEquals("intent_high", tags.getJSONObject(0).getString("tag_id"))
        assertEquals(JSONObject().put("kind", "keyword").put("id", "kw_price").toMap(), tags.getJSONObject(0).getJSONObject("provenance").toMap())
    }

    @Test
    fun replayChangesNothingAndHistoryDefaultsToEmpty() {
        val event = message("e1", "请问多少钱")
        val once = tagger.onEventJson(customer, event)
        val twice = tagger.onEventJson(once.customerJson, event)
        assertEquals(emptyList<TagChange>(), twice.changes)
        assertEquals(once.customerJson, twice.customerJson)
    }

    @Test
    fun anExclusiveGroupRemovesWithTheReplacingProvenance() {
        val first = tagger.onEventJson(customer, message("e1", "多少钱"))
        val second = tagger.onEventJson(first.customerJson, message("e2", "太贵了"))
        assertEquals(listOf("added" to "intent_low", "removed" to "intent_high"), second.changes.map { it.action to it.tagId }.sortedBy { it.first })
        assertTrue(second.changes.all { it.provenance == Provenance("keyword", "kw_not_now") }, second.changes.toString())
    }

    @Test
    fun channelCodesHaveTheirRuleAsProvenance() {
        val scan = """{"tenant_id": "chayuan-tea", "id": "s1", "customer_id": "c1", "type": "scan",
            "at": "2026-03-15T02:00:00Z", "channel_code": "store-sh-xintiandi"}"""
        assertEquals(listOf(Provenance("channel_code", "store_qr")), tagger.onEventJson(customer, scan).changes.map { it.provenance })
    }

    @Test
    fun badDocumentsAreTypedErrorsWithPaths() {
        assertEquals(listOf("customer"), assertThrows<ScrmException.Parse> { tagger.onEventJson("{", message("e1", "x")) }.problems.map { it.path })
        assertEquals(listOf("event"), assertThrows<ScrmException.Parse> { tagger.onEventJson(customer, "") }.problems.map { it.path })
        assertEquals(listOf("history"), assertThrows<ScrmException.Parse> { tagger.onEventJson(customer, message("e1", "x"), "[") }.problems.map { it.path })
        assertEquals(listOf("event"), assertThrows<ScrmException.Validation> { tagger.onEventJson(customer, message("e1", "价格", tenant = "other")) }.problems.map { it.path })
        val unnormalised = """{"tenant_id": "chayuan-tea", "id": "c1", "created_at": "2026-03-01T00:00:00Z",
            "identities": [{"kind": "phone", "value": "13800138000"}]}"""
        assertEquals(listOf("customer.identities[0].value"), assertThrows<ScrmException.Validation> { tagger.onEventJson(unnormalised, message("e1", "x")) }.problems.map { it.path })
    }

    @Test
    fun oneTaggerServesManyThreads() {
        val pool = Executors.newFixedThreadPool(8)
        try {
            val results = (0 until 64).map { i ->
                pool.submit<List<TagChange>> { tagger.onEventJson(customer, message("e$i", "礼盒多少钱")).changes }
            }.map { it.get(60, TimeUnit.SECONDS) }
            assertTrue(results.all { it == results[0] && it.size == 2 }, results.toString())
        } finally {
            pool.shutdown()
        }
    }
}
