package io.scrm

import org.json.JSONObject
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.time.Instant

/** Condition and CompiledCondition through the binding: equality, forms, Instant, errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConditionTest {
    private val playbook = Playbook.fromJson(readRepoFile("examples/playbooks/brand.json"))

    @AfterAll
    fun close() = playbook.close()

    private val customer = """{"tenant_id": "chayuan-tea", "id": "c1", "created_at": "2026-03-01T00:00:00Z",
        "tags": [{"tag_id": "intent_high", "applied_at": "2026-03-02T00:00:00Z", "provenance": {"kind": "manual"}}]}"""

    private val history = """[{"tenant_id": "chayuan-tea", "id": "v1", "customer_id": "c1", "type": "content_view",
        "at": "2026-03-14T00:00:00Z"}]"""

    @Test
    fun bothFormsGiveEqualConditions() {
        val text = Condition.parse("score>=60 and has_tag(\"高意向\")")
        val json = Condition.fromJson("""{"all": [{"compare": {"field": "score", "op": ">=", "value": 60}}, {"has_tag": "高意向"}]}""")
        assertEquals(text, json)
        assertEquals(text.hashCode(), json.hashCode())
        assertEquals(setOf(text), setOf(json))
        assertEquals("score >= 60 and has_tag(\"高意向\")", text.toText())
        assertEquals(text.toText(), text.toString())
        assertEquals(text, Condition.fromJson(text.toJson()))
        assertEquals(text, Condition.parse(json.toText()))
        assertTrue(JSONObject(text.toJson()).has("all"))
        assertNotEquals(text, Condition.parse("score >= 61 and has_tag(\"高意向\")"))
        assertFalse(text.equals("score >= 60 and has_tag(\"高意向\")"))
    }

    @Test
    fun textErrorsLocateTheProblem() {
        val err = assertThrows<ScrmException.Parse> { Condition.parse("score >= 60 and (stage = \"sql\"]") }
        assertEquals(listOf(""), err.problems.map { it.path })
        assertTrue(err.problems[0].message.startsWith("line 1, column 31:"), err.problems[0].message)
        assertThrows<ScrmException.Validation> { Condition.parse("stage > 3") }
    }

    @Test
    fun jsonErrorsAreAtTheirPath() {
        val err = assertThrows<ScrmException.Validation> { Condition.fromJson("""{"all": [{"has_tag": "a"}, {"compare": {"field": "score", "op": "~", "value": 1}}]}""") }
        assertTrue(err.problems.all { it.path.startsWith("all[1]") }, err.problems.toString())
        assertThrows<ScrmException.Parse> { Condition.fromJson("{") }
    }

    @Test
    fun compileResolvesTagsAgainstThePlaybook() {
        Condition.parse("has_tag(\"高意向\")").use { c ->
            c.compile(playbook).use { compiled ->
                assertEquals(c, compiled.condition())
                assertTrue(compiled.evaluateJson(customer, "[]", Instant.parse("2026-03-15T00:00:00Z"), null))
            }
        }
        val err = assertThrows<ScrmException.Validation> { Condition.parse("has_tag(\"不存在\")").compile(playbook) }
        assertTrue(err.problems[0].message.contains("不存在"), err.problems[0].message)
    }

    @Test
    fun nowCrossesAsAnInstant() {
        val compiled = Condition.parse("count(event = \"content_view\", within = \"1d\") >= 1").compile(playbook)
        assertTrue(compiled.evaluateJson(customer, history, Instant.parse("2026-03-14T12:00:00Z")))
        assertTrue(compiled.evaluateJson(customer, history, Instant.parse("2026-03-14T23:59:59.999999999Z")))
        assertFalse(compiled.evaluateJson(customer, history, Instant.parse("2026-03-15T00:00:00.000000001Z")))
        assertFalse(compiled.evaluateJson(customer, history, Instant.parse("1969-12-31T23:59:59.5Z")))
        assertFalse(compiled.evaluateJson(customer, history, Instant.EPOCH))
    }

    @Test
    fun instantsBeyondTheCoresRangeAreValidationErrorsAtNow() {
        val compiled = Condition.parse("true").compile(playbook)
        for (now in listOf(Instant.MAX, Instant.MIN)) {
            val err = assertThrows<ScrmException.Validation> { compiled.evaluateJson(customer, "[]", now) }
            assertEquals(listOf("now"), err.problems.map { it.path })
        }
    }

    @Test
    fun scoreIsADecimalString() {
        val compiled = Condition.parse("score >= 72.5").compile(playbook)
        val now = Instant.parse("2026-03-15T00:00:00Z")
        assertTrue(compiled.evaluateJson(customer, "[]", now, "72.5"))
        assertFalse(compiled.evaluateJson(customer, "[]", now, "72.4999"))
        assertFalse(compiled.evaluateJson(customer, "[]", now), "a missing score fails >=")
        assertEquals(listOf("score"), assertThrows<ScrmException.Validation> { compiled.evaluateJson(customer, "[]", now, "lots") }.problems.map { it.path })
        assertEquals(listOf("history"), assertThrows<ScrmException.Parse> { compiled.evaluateJson(customer, "nope", now) }.problems.map { it.path })
        assertEquals(listOf("customer"), assertThrows<ScrmException.Parse> { compiled.evaluateJson("", "[]", now) }.problems.map { it.path })
    }
}
