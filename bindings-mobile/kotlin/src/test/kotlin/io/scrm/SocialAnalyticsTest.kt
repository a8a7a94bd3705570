package io.scrm

import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.time.Instant

/** Propagation trees, fission campaigns, funnels, cohorts, cost per lead and the HTML report. */
class SocialAnalyticsTest {
    private val journeys = """[{"customer_id": "a", "created_at": "2026-03-01T00:00:00Z", "channel": "x",
        "stages": [{"stage": "lead", "at": "2026-03-01T00:00:00Z"}, {"stage": "customer", "at": "2026-03-05T00:00:00Z"}]},
        {"customer_id": "b", "created_at": "2026-03-02T00:00:00Z", "channel": "x", "stages": [{"stage": "lead", "at": "2026-03-02T00:00:00Z"}]}]"""
    private val options = """{"stages": ["lead", "customer"]}"""

    @Test
    fun propagationAndFission() {
        val events = """[{"tenant_id": "acme", "id": "s1", "customer_id": "ann", "type": "share", "at": "2026-03-01T00:00:00Z", "properties": {"content_id": "guide"}},
            {"tenant_id": "acme", "id": "a1", "customer_id": "bo", "type": "friend_added", "at": "2026-03-01T00:03:00Z", "properties": {"share_id": "s1"}}]"""
        val tree = JSONObject(propagationJson(events, null)).getJSONArray("trees").getJSONObject(0)
        assertEquals(1, tree.getInt("reach"))
        val progress = JSONObject(
            fissionJson(
                """{"id": "spring", "goal": 1, "starts_at": "2026-03-01T00:00:00Z", "ends_at": "2026-03-31T00:00:00Z", "reward": "tea set"}""",
                """[{"tenant_id": "acme", "id": "h1", "customer_id": "bo", "type": "friend_added", "at": "2026-03-02T00:00:00Z", "properties": {"campaign": "spring", "inviter_id": "ann"}}]""",
                null,
                Instant.parse("2026-03-10T00:00:00Z"),
            ),
        )
        assertTrue(progress.getJSONArray("inviters").getJSONObject(0).getBoolean("reward_earned"))
    }

    @Test
    fun funnelCohortsBecameAndCostPerLead() {
        val funnel = JSONObject(funnelJson(options, journeys))
        assertEquals(2, funnel.getJSONObject("overall").getInt("journeys"))
        val became = JSONArray(becameJson(options, journeys))
        assertEquals("a", became.getJSONObject(0).getString("customer_id"))
        val cohorts = JSONObject(cohortsJson(options, journeys, Instant.parse("2026-04-10T00:00:00Z")))
        assertEquals("2026-03", cohorts.getJSONArray("cohorts").getJSONObject(0).getString("month"))
        val cpl = JSONObject(costPerLeadJson(options, journeys, """[{"channel": "x", "amount": "100.00", "currency": "CNY"}]"""))
        assertEquals("50.00", cpl.getJSONArray("channels").getJSONObject(0).getString("cost_per_lead"))
    }

    @Test
    fun errorsNameTheirPath() {
        val bad = assertThrows<ScrmException.Validation> { funnelJson(options, """{"not": "a list"}""") }
        assertEquals(listOf("journeys"), bad.problems.map { it.path })
        val asOf = assertThrows<ScrmException.Validation> { cohortsJson(options, journeys, Instant.MAX) }
        assertEquals(listOf("as_of"), asOf.problems.map { it.path })
        assertThrows<ScrmException.Parse> { reportHtmlJson("{") }
    }

    @Test
    fun garbageNeverCrashes() {
        val now = Instant.parse("2026-03-10T00:00:00Z")
        for (g in listOf("", "[", "null", "{}", "x".repeat(100_000), "[".repeat(50_000))) {
            for (call in listOf<() -> Unit>(
                { propagationJson(g, g) },
                { fissionJson(g, g, g, now) },
                { funnelJson(g, g) },
                { becameJson(options, g) },
                { cohortsJson(g, journeys, now) },
                { costPerLeadJson(options, journeys, g) },
                { reportHtmlJson(g) },
            )) {
                try {
                    call()
                } catch (e: ScrmException) {
                    assertTrue(e is ScrmException.Parse || e is ScrmException.Validation, e.toString())
                }
            }
        }
    }
}
