package io.scrm

import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.assertThrows
import java.nio.charset.CharacterCodingException
import java.time.Instant

/** Garbage in gives a typed ScrmException, never a crash of the JVM. */
class GarbageTest {
    private val garbage = listOf(
        "",
        "\u0000\u0001\u0002",
        "[".repeat(100_000),
        "{".repeat(10_000),
        "a = " + "[".repeat(100_000),
        """{"schema_version": 1e400}""",
        "x".repeat(10 * 1024 * 1024),
        """{"schema_version": 1, "tenant_id": "t", "timezone": "UTC", "taxonomy": {"groups": """" + "y".repeat(10 * 1024 * 1024) + "\"}}",
    )

    @TestFactory
    fun garbageTextThrowsAScrmException(): List<DynamicTest> =
        garbage.withIndex().flatMap { (i, text) ->
            listOf<Pair<String, (String) -> Playbook>>("json" to Playbook::fromJson, "toml" to Playbook::fromToml).map { (format, load) ->
                DynamicTest.dynamicTest("garbage #$i (${text.length} chars) as $format") {
                    try {
                        load(text).close()
                        throw AssertionError("garbage #$i loaded")
                    } catch (e: ScrmException) {
                        assertTrue(e is ScrmException.Parse || e is ScrmException.Validation, e.toString())
                    }
                }
            }
        }

    private val customer = """{"tenant_id": "chayuan-tea", "id": "c1", "created_at": "2026-03-01T00:00:00Z"}"""
    private val event = """{"tenant_id": "chayuan-tea", "id": "e1", "customer_id": "c1", "type": "message",
        "at": "2026-03-15T02:00:00Z", "text": "多少钱"}"""

    private class Entry(val name: String, val mustRefuse: Boolean, val call: (String) -> Unit)

    private fun entry(name: String, mustRefuse: Boolean, call: (String) -> Unit) = Entry(name, mustRefuse, call)

    /**
     * Every entry point that reads a document or a text, with the garbage in each argument in turn;
     * `true` where the garbage must be refused, `false` where any non-empty text is a valid value (an
     * id or a scope) and the call need only not crash.
     */
    private fun entryPoints(tagger: Tagger, compiled: CompiledCondition): List<Entry> {
        val now = Instant.parse("2026-03-15T00:00:00Z")
        return listOf(
            entry("normalizeIdentity(kind)", true) { g -> normalizeIdentity(g, "13800138000") },
            entry("normalizeIdentity(phone)", true) { g -> normalizeIdentity("phone", g) },
            entry("normalizeIdentity(email)", true) { g -> normalizeIdentity("email", g) },
            entry("normalizeIdentity(scope)", false) { g -> normalizeIdentity("wechat_openid", "o1", g) },
            entry("customIdentity", false) { g -> customIdentity(g, g, true) },
            entry("resolveJson", true) { g -> resolveJson(g) },
            entry("mergeJson(customers)", true) { g -> mergeJson(g) },
            entry("mergeJson(policy)", true) { g -> mergeJson("[$customer]", g) },
            entry("Tagger.onEventJson(customer)", true) { g -> tagger.onEventJson(g, event) },
            entry("Tagger.onEventJson(event)", true) { g -> tagger.onEventJson(customer, g) },
            entry("Tagger.onEventJson(history)", true) { g -> tagger.onEventJson(customer, event, g) },
            entry("Condition.parse", true) { g -> Condition.parse(g).close() },
            entry("Condition.fromJson", true) { g -> Condition.fromJson(g).close() },
            entry("CompiledCondition.evaluateJson(customer)", true) { g -> compiled.evaluateJson(g, "[]", now) },
            entry("CompiledCondition.evaluateJson(history)", true) { g -> compiled.evaluateJson(customer, g, now) },
            entry("CompiledCondition.evaluateJson(score)", true) { g -> compiled.evaluateJson(customer, "[]", now, g) },
        )
    }

    @TestFactory
    fun garbageDocumentsThrowAScrmException(): List<DynamicTest> {
        val playbook = Playbook.fromJson(readRepoFile("examples/playbooks/brand.json"))
        val tagger = Tagger(playbook)
        val compiled = Condition.parse("score >= 60").compile(playbook)
        return garbage.withIndex().flatMap { (i, text) ->
            entryPoints(tagger, compiled).map { e ->
                DynamicTest.dynamicTest("garbage #$i (${text.length} chars) into ${e.name}") {
                    try {
                        e.call(text)
                        if (e.mustRefuse) throw AssertionError("garbage #$i accepted by ${e.name}")
                    } catch (err: ScrmException) {
                        assertTrue(err is ScrmException.Parse || err is ScrmException.Validation, err.toString())
                    }
                }
            }
        }
    }

    /** A lone surrogate is not encodable as UTF-8: the generated code refuses it before Rust sees it. */
    @Test
    fun loneSurrogateIsRefusedByTheEncoder() {
        assertThrows<CharacterCodingException> { Playbook.fromJson("\ud800") }
    }
}
