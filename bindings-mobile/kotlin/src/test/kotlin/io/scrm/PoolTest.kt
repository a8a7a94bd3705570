package io.scrm

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.time.Instant

/** The pool (due, claim), transfers and assignment, compiled once from a playbook. */
class PoolTest {
    private val rules = Playbook.fromJson(readRepoFile("examples/playbooks/brand.json")).use { PoolRules(it) }
    private val owned = """[{"customer_id": "c1", "owner": {"id": "wang", "since": "2026-03-01T02:00:00Z"}, "stage": "lead"}]"""

    @Test
    fun dueItemsAreTyped() {
        val now = Instant.parse("2026-03-17T02:00:00Z")
        val item = rules.due(owned, now).single()
        assertEquals("c1", item.customerId)
        assertEquals("wang", item.owner)
        assertEquals("lead", item.stage)
        assertEquals("reclaim", item.action)
        assertEquals(Instant.parse("2026-03-01T02:00:00Z"), item.since)
        assertEquals(16u, item.idleDays)
        assertEquals(14u, item.limitDays)
        assertTrue(item.reason.startsWith("not followed up in the 16 days since wang took it on"), item.reason)
        assertEquals(item.reason, JSONObject(rules.dueJson(owned, now)).getJSONArray("items").getJSONObject(0).getString("reason"))

        val warned = rules.due(owned, Instant.parse("2026-03-14T02:00:00Z")).single()
        assertEquals("warn", warned.action)
        assertTrue(warned.daysLeft != null && warned.reclaimOn != null, warned.toString())
    }

    @Test
    fun claimTransferAndAssignRunTheirRules() {
        val now = Instant.parse("2026-03-02T02:00:00Z")
        val claim = JSONObject(
            rules.claimJson(
                """{"id": "li", "held": 120, "claimed_today": 3}""",
                """{"customer_id": "c9", "pooled_at": "2026-03-01T02:00:00Z", "previous_owner": "wang", "stage": "lead"}""",
                now,
            ),
        )
        assertTrue(claim.getBoolean("allowed"), claim.toString())
        val plan = JSONObject(rules.planTransferJson("""{"kind": "in_service", "handover": "wang", "takeover": "zhao", "customers": ["c2"]}""", "[]", null, now))
        assertEquals("c2", plan.getJSONArray("accepted").getString(0))
        val status = JSONObject(rules.transferStatusJson(plan.getJSONArray("records").toString(), null, now))
        assertEquals("waiting", status.getJSONArray("outcomes").getJSONObject(0).getString("status"))
        val assigned = JSONObject(
            rules.assignJson(
                """[{"id": "zhou"}, {"id": "wu"}]""",
                null,
                """[{"customer_id": "n1", "channel_code": "store-sh-xintiandi"}, {"customer_id": "n2", "channel_code": "store-sh-xintiandi"}]""",
                now,
            ),
        )
        val who = (0 until 2).map { assigned.getJSONArray("decisions").getJSONObject(it).optString("employee_id") }
        assertEquals(setOf("zhou", "wu"), who.toSet(), assigned.toString())
    }

    @Test
    fun errorsNameTheirPath() {
        val now = Instant.parse("2026-03-17T02:00:00Z")
        val bad = assertThrows<ScrmException.Validation> {
            rules.due("""[{"customer_id": "c1", "owner": {"id": "wang", "since": "2026-03-01T02:00:00Z"}}, {"customer_id": 7}]""", now)
        }
        assertEquals(listOf("customers[1]"), bad.problems.map { it.path })
        assertThrows<ScrmException.Parse> { rules.claimJson("{", "{}", now) }
    }

    @Test
    fun garbageNeverCrashes() {
        val now = Instant.parse("2026-03-17T02:00:00Z")
        for (g in listOf("", "[", "null", "{}", "x".repeat(100_000), "[".repeat(50_000))) {
            for (call in listOf<() -> Unit>(
                { rules.due(g, now) },
                { rules.claimJson(g, "{}", now) },
                { rules.planTransferJson(g, "[]", null, now) },
                { rules.transferStatusJson(g, g, now) },
                { rules.assignJson(g, g, g, now) },
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
