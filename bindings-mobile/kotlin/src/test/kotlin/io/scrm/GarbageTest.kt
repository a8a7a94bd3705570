package io.scrm

import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.assertThrows
import java.nio.charset.CharacterCodingException

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

    /** A lone surrogate is not encodable as UTF-8: the generated code refuses it before Rust sees it. */
    @Test
    fun loneSurrogateIsRefusedByTheEncoder() {
        assertThrows<CharacterCodingException> { Playbook.fromJson("\ud800") }
    }
}
