package io.scrm

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.time.Instant

/** The engine: typed effects of apply and tick, scores, the priority list, and their JSON twins. */
class EngineTest {
    private val playbook = Playbook.fromJson(readRepoFile("examples/playbooks/brand.json"))
    private val engine = Engine(playbook)
    private val at = Instant.parse("2026-03-15T02:00:00Z")

    private fun asked(id: String = "e1", customer: String = "c1") =
        Event("chayuan-tea", id, customer, "message", at, text = "礼盒多少钱")

    @Test
    fun applyReturnsTypedEffectsAndTheProfile() {
        val applied = engine.apply(null, asked(), at)
        val e = applied.effects
        assertEquals("e1", e.eventId)
        assertTrue(e.tags.any { it.tagId == "intent_high" && it.action == "added" && it.provenance.id == "kw_price" }, e.tags.toString())
        val lead = e.stages.single { it.to == "lead" }
        assertEquals("engaged", lead.rule)
        assertEquals(at, lead.at)
        assertTrue(e.tasks.any { it.id == "add_wecom" && it.stage == "lead" && it.dueAt == at.plusSeconds(86_400) }, e.tasks.toString())
        val score = e.score ?: throw AssertionError("no score change")
        assertEquals(score.after, score.explained.score)
        assertTrue(score.explained.rules.any { it.rule == "message" && it.points != "0" }, score.explained.rules.toString())
        assertEquals("chayuan-tea", JSONObject(applied.profileJson).getJSONObject("live").getJSONObject("customer").getString("tenant_id"))

        val again = engine.apply(applied.profileJson, asked(), at)
        assertTrue(again.effects.replayed)
        assertTrue(again.effects.tags.isEmpty() && again.effects.stages.isEmpty())
    }

    @Test
    fun typedCallsAgreeWithTheirJsonTwins() {
        val typed = engine.apply(null, asked(), at)
        val json = JSONObject(engine.applyJson(null, eventToJson(asked()), at))
        val effects = json.getJSONObject("effects")
        assertEquals(effects.getJSONObject("score").getString("delta"), typed.effects.score?.delta)
        assertEquals(effects.getJSONArray("stages").length(), typed.effects.stages.size)
        assertEquals(canonicalJson(json.getJSONObject("profile")), canonicalJson(JSONObject(typed.profileJson)))

        val later = at.plusSeconds(3 * 86_400)
        val score = engine.score(typed.profileJson, later)
        assertEquals(JSONObject(engine.scoreJson(typed.profileJson, later)).getString("score"), score.score)
        val ticked = engine.tick(typed.profileJson, later)
        assertEquals(JSONObject(engine.tickJson(typed.profileJson, later)).getJSONObject("profile").toString().length, JSONObject(ticked.profileJson).toString().length)
    }

    @Test
    fun priorityListRanksTheOwnersCustomers() {
        val profiles = listOf("c1", "c2").map { id ->
            engine.newProfile(Customer("chayuan-tea", id, at, owner = "wang"))
        }
        val hot = engine.apply(profiles[1], asked("e2", "c2"), at).profileJson
        val list = engine.priorityList("wang", "[${profiles[0]}, $hot]", at.plusSeconds(3_600))
        assertEquals(listOf(1u, 2u), list.map { it.rank })
        assertEquals("c2", list.first().customerId)
        assertTrue(list.first().reason.isNotBlank())
        assertEquals(emptyList<PriorityItem>(), engine.priorityList("nobody", "[$hot]", at))

        val folded = JSONObject(engine.foldJson("[]", "[${eventToJson(asked())}]"))
        assertEquals(1, folded.getJSONObject("report").getInt("created"))
        val rfm = engine.rfmJson("[$hot]", at, "quintiles")
        assertTrue(rfm.startsWith("["), rfm)
        val history = listOf(asked("e2", "c2"))
        assertTrue(engine.rescore(hot, history, at).effects.stages.isEmpty())
    }

    @Test
    fun errorsNameTheirPath() {
        val mode = assertThrows<ScrmException.Validation> { engine.rfmJson("[]", at, "weekly") }
        assertEquals(listOf("mode"), mode.problems.map { it.path })
        val profile = assertThrows<ScrmException.Validation> { engine.foldJson("{}", "[]") }
        assertEquals(listOf("profiles"), profile.problems.map { it.path })
        val event = assertThrows<ScrmException.Validation> {
            engine.apply(null, asked().copy(platform = "fax"), at)
        }
        assertTrue(event.problems.any { it.path.startsWith("event.platform") }, event.problems.toString())
        assertThrows<ScrmException.Parse> { engine.tick("{", at) }
    }

    @Test
    fun garbageNeverCrashes() {
        for (g in listOf("", "[", "null", "{\"live\": 1}", "x".repeat(100_000), "[" .repeat(50_000))) {
            for (call in listOf<() -> Unit>(
                { engine.applyJson(g, eventToJson(asked()), at) },
                { engine.applyJson(null, g, at) },
                { engine.tickJson(g, at) },
                { engine.score(g, at) },
                { engine.foldJson(g, "[]") },
                { engine.foldJson("[]", g) },
                { engine.priorityList("wang", g, at) },
                { engine.rfmJson(g, at, "binary") },
                { engine.newProfileJson(g) },
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
