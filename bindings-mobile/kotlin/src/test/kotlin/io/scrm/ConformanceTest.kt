package io.scrm

import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import java.io.File

/** Runs every vector in conformance/vectors through the Kotlin binding. */
class ConformanceTest {
    private val vectors: List<JSONObject> =
        (File(repo, "conformance/vectors").listFiles { f -> f.name.endsWith(".json") } ?: emptyArray())
            .sortedBy { it.name }
            .flatMap { f ->
                val list = JSONObject(f.readText()).getJSONArray("vectors")
                (0 until list.length()).map { list.getJSONObject(it) }
            }

    private fun sourceText(v: JSONObject): String = when {
        v.has("text") -> v.getString("text")
        v.has("file") -> readRepoFile(v.getString("file"))
        else -> v.get("document").toString()
    }

    private fun summary(p: Playbook): JSONObject = JSONObject()
        .put("schema_version", p.schemaVersion().toLong())
        .put("tenant_id", p.tenantId())
        .put("timezone", p.timezone())
        .put("channels", JSONArray(p.channels().map { it.id }))
        .put("groups", JSONArray(p.tagGroups().map { g ->
            JSONObject().put("id", g.id).put("exclusive", g.exclusive).put("tags", JSONArray(g.tags.map { it.id }))
        }))

    private fun errorOutcome(kind: String, problems: List<Problem>): JSONObject =
        JSONObject().put("error", JSONObject().put("kind", kind).put("paths", JSONArray(problems.map { it.path })))

    private fun run(v: JSONObject): JSONObject = when (v.getString("op")) {
        "playbook.load" -> try {
            val text = sourceText(v)
            val p = if (v.getString("format") == "toml") Playbook.fromToml(text) else Playbook.fromJson(text)
            p.use { JSONObject().put("summary", summary(it)) }
        } catch (e: ScrmException.Parse) {
            errorOutcome("parse", e.problems)
        } catch (e: ScrmException.Validation) {
            errorOutcome("validation", e.problems)
        } catch (e: ScrmException.UnsupportedVersion) {
            errorOutcome("unsupported_version", e.problems)
        }
        else -> throw AssertionError("unknown op ${v.getString("op")} in ${v.getString("id")}")
    }

    @Test
    fun thereAreVectors() {
        assertTrue(vectors.size >= 15, "found ${vectors.size} vectors")
    }

    @TestFactory
    fun everyVectorGivesItsExpectedOutcome(): List<DynamicTest> = vectors.map { v ->
        DynamicTest.dynamicTest(v.getString("id")) {
            val got = run(v)
            val expected = v.getJSONObject("expect")
            assertTrue(got.similar(expected), "expected $expected\ngot      $got")
        }
    }
}
