package io.scrm

import org.json.JSONArray
import org.json.JSONObject
import org.json.JSONTokener
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeFalse
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import java.io.File
import java.time.Instant

/**
 * Runs every vector in conformance/vectors through the Kotlin binding, op by op as the Rust runner
 * (scrm-core/tests/conformance.rs) does, and compares outcomes as JSON values.
 */
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

    /** The outcome of [work], or its error outcome. */
    private fun outcome(work: () -> JSONObject): JSONObject = try {
        work()
    } catch (e: ScrmException) {
        errorOutcome(e)
    }

    private fun playbook(v: JSONObject): Playbook = Playbook.fromJson(readRepoFile(v.getString("playbook")))

    /** A field as JSON text; an absent list is an empty one. */
    private fun text(v: JSONObject, key: String): String = if (v.isNull(key)) "[]" else v.get(key).toString()

    private fun identity(i: Identity): JSONObject = JSONObject().apply {
        put("kind", i.kind)
        put("value", i.value)
        i.scope?.let { put("scope", it) }
        i.namespace?.let { put("namespace", it) }
        if (i.strong) put("strong", true)
    }

    private fun tagEvents(v: JSONObject): JSONObject = playbook(v).use { p ->
        Tagger(p).use { tagger ->
            var customer = v.get("customer").toString()
            val events = v.getJSONArray("events")
            val allChanges = JSONArray()
            for (i in 0 until events.length()) {
                val history = JSONArray((0 until i).map { events.get(it) }).toString()
                val result = try {
                    tagger.onEventJson(customer, events.get(i).toString(), history)
                } catch (e: ScrmException) {
                    return errorOutcome(e)
                }
                customer = result.customerJson
                allChanges.put(changesValue(result.changes))
            }
            JSONObject().put("changes", allChanges).put("tags", carriedTags(customer))
        }
    }

    /** The changes of one call, as the Rust runner writes them. */
    private fun changesValue(changes: List<TagChange>): JSONArray = JSONArray(changes.map {
        JSONObject().put("tag_id", it.tagId).put("action", it.action).put("reason", it.reason)
    })

    /** The tags a customer (JSON) carries, with their expiry where they have one, sorted by id. */
    private fun carriedTags(customer: String): JSONArray {
        val carried = JSONObject(customer).getJSONArray("tags")
        return JSONArray((0 until carried.length()).map { carried.getJSONObject(it) }
            .sortedBy { it.getString("tag_id") }
            .map { t ->
                JSONObject().put("tag_id", t.getString("tag_id")).apply {
                    if (t.has("expires_at")) put("expires_at", t.get("expires_at"))
                }
            })
    }

    /** The customer ids of a field (a JSON list of strings); an absent list is an empty one. */
    private fun ids(v: JSONObject, key: String): List<String> {
        val list = v.optJSONArray(key) ?: return emptyList()
        return (0 until list.length()).mapNotNull { list.opt(it) as? String }
    }

    private fun segmentMembers(v: JSONObject): JSONObject = playbook(v).use { p ->
        val now = Instant.parse(v.getString("now"))
        val optional = { key: String -> if (v.isNull(key)) null else v.get(key).toString() }
        outcome {
            Condition.parse(v.getString("condition")).use { c ->
                c.compile(p).use { compiled ->
                    Segment(compiled, ids(v, "include"), ids(v, "exclude")).use { segment ->
                        val members = segment.membersJson(text(v, "customers"), now, optional("histories"), optional("scores"))
                        JSONObject().put("members", JSONArray(members))
                    }
                }
            }
        }
    }

    /**
     * Runs hand-tagging steps in order (`tag` + `at`, `untag`, `expire`, `pre_tags`), outputting the
     * changes of each step and the tags carried at the end, as `tagging.events` does.
     */
    private fun tagByHand(v: JSONObject): JSONObject = playbook(v).use { p ->
        Tagger(p).use { tagger ->
            var customer = v.get("customer").toString()
            val steps = v.getJSONArray("steps")
            val allChanges = JSONArray()
            for (i in 0 until steps.length()) {
                val step = steps.getJSONObject(i)
                val result = try {
                    when {
                        step.opt("tag") is String -> tagger.tagJson(customer, step.getString("tag"), Instant.parse(step.getString("at")))
                        step.opt("untag") is String -> tagger.untagJson(customer, step.getString("untag"))
                        step.has("expire") -> tagger.expireJson(customer, Instant.parse(step.getString("expire")))
                        else -> tagger.applyPreTagsJson(customer, step.opt("pre_tags")?.toString() ?: "null")
                    }
                } catch (e: ScrmException) {
                    return errorOutcome(e)
                }
                customer = result.customerJson
                allChanges.put(changesValue(result.changes))
            }
            JSONObject().put("changes", allChanges).put("tags", carriedTags(customer))
        }
    }

    private fun run(v: JSONObject): Any = when (v.getString("op")) {
        "playbook.load" -> outcome {
            val text = sourceText(v)
            val p = if (v.optString("format", "json") == "toml") Playbook.fromToml(text) else Playbook.fromJson(text)
            p.use { JSONObject().put("summary", summary(it)) }
        }
        "identity.normalize" -> outcome {
            val i = normalizeIdentity(v.optString("kind"), v.optString("value"), v.opt("scope") as? String)
            JSONObject().put("identity", identity(i))
        }
        "identity.resolve" -> outcome {
            JSONObject().put("clusters", JSONArray(resolveJson(text(v, "customers")).map { JSONArray(it) }))
        }
        "customer.merge" -> outcome {
            val policy = if (v.isNull("policy")) null else v.get("policy").toString()
            JSONObject().put("customer", parseJson(mergeJson(text(v, "customers"), policy)))
        }
        "tagging.events" -> tagEvents(v)
        "condition.parse" -> outcome {
            val read = when (val t = v.opt("text")) {
                is String -> Condition.parse(t)
                else -> Condition.fromJson(v.opt("json")?.toString() ?: "null")
            }
            read.use { c -> JSONObject().put("text", c.toText()).put("json", parseJson(c.toJson())) }
        }
        "condition.evaluate" -> playbook(v).use { p ->
            val now = Instant.parse(v.getString("now"))
            outcome {
                Condition.parse(v.getString("condition")).use { c ->
                    c.compile(p).use { compiled ->
                        val customer = v.get("customer").toString()
                        val result = compiled.evaluateJson(customer, text(v, "history"), now, v.opt("score") as? String)
                        JSONObject().put("result", result)
                    }
                }
            }
        }
        "segment.members" -> segmentMembers(v)
        "account.decision_chain" -> outcome {
            val chain = decisionChainJson(v.get("account").toString())
            JSONObject()
                .put("decision_makers", JSONArray(chain.decisionMakers))
                .put("influencers", JSONArray(chain.influencers))
                .put("champions", JSONArray(chain.champions))
                .put("gatekeepers", JSONArray(chain.gatekeepers))
                .put("gaps", JSONArray(chain.gaps))
        }
        "tagging.manual" -> tagByHand(v)
        else -> OpsConformance.run(v) ?: throw AssertionError("unknown op ${v.getString("op")} in ${v.getString("id")}")
    }

    /** Ops not bound in Kotlin yet (conformance/pending.json): their vectors are skipped, visibly. */
    private val pending: Set<String> =
        JSONObject(readRepoFile("conformance/pending.json")).getJSONArray("kotlin").let { list ->
            (0 until list.length()).map { list.getString(it) }.toSet()
        }

    /** Whether `run` handles `op`: it throws "unknown op" for the others. */
    private fun runs(op: String): Boolean = try {
        run(JSONObject().put("op", op).put("id", "probe"))
        true
    } catch (e: AssertionError) {
        !(e.message ?: "").startsWith("unknown op $op")
    } catch (e: Exception) {
        true
    }

    @Test
    fun everyOpIsRunHereOrPending() {
        val unknown = vectors.map { it.getString("op") }.toSet().filter { it !in pending && !runs(it) }
        assertEquals(emptyList<String>(), unknown, "add these ops to run() or to conformance/pending.json")
        val stale = pending.filter { runs(it) }
        assertEquals(emptyList<String>(), stale, "run here, so remove from conformance/pending.json")
    }

    /** A JSON list of documents read one by one with [read] (customerFromJson, eventFromJson). */
    private fun <T> typedList(v: JSONObject, key: String, read: (String) -> T): List<T> {
        val list = v.optJSONArray(key) ?: return emptyList()
        return (0 until list.length()).map { read(list.get(it).toString()) }
    }

    /**
     * The outcome of a vector through the typed API (documents read with customerFromJson and
     * eventFromJson), for the ops whose inputs have a typed form; null for the others.
     */
    private fun runTyped(v: JSONObject): JSONObject? = when (v.getString("op")) {
        "tagging.events" -> playbook(v).use { p ->
            Tagger(p).use { tagger ->
                var customer = customerFromJson(v.get("customer").toString())
                val events = typedList(v, "events", ::eventFromJson)
                val allChanges = JSONArray()
                events.forEachIndexed { i, e ->
                    val result = tagger.onEvent(customer, e, events.subList(0, i))
                    customer = result.customer
                    allChanges.put(changesValue(result.changes))
                }
                JSONObject().put("changes", allChanges).put("tags", carriedTags(customerToJson(customer)))
            }
        }
        "identity.resolve" -> JSONObject().put("clusters", JSONArray(resolve(typedList(v, "customers", ::customerFromJson)).map { JSONArray(it) }))
        "customer.merge" -> if (!v.isNull("policy")) null else
            JSONObject().put("customer", parseJson(customerToJson(merge(typedList(v, "customers", ::customerFromJson)).customer)))
        else -> null
    }

    /** Every vector that succeeds through JSON gives the same outcome through the typed API. */
    @TestFactory
    fun theTypedApiAgreesWithTheVectors(): List<DynamicTest> = vectors
        .filter { it.getString("op") in setOf("tagging.events", "identity.resolve", "customer.merge") }
        .filter { !it.getJSONObject("expect").has("error") && !(it.getString("op") == "customer.merge" && !it.isNull("policy")) }
        .map { v ->
            DynamicTest.dynamicTest("typed ${v.getString("id")}") {
                val got = runTyped(v) ?: throw AssertionError("no typed form for ${v.getString("id")}")
                assertEquals(canonicalJson(v.getJSONObject("expect")), canonicalJson(got), "typed path of ${v.getString("id")}")
            }
        }

    /** The engine.run vectors whose steps succeed give the same steps through the typed Effects. */
    @TestFactory
    fun theTypedEngineAgreesWithTheVectors(): List<DynamicTest> = vectors
        .filter { OpsConformance.typedEngineRuns(it) }
        .map { v ->
            DynamicTest.dynamicTest("typed ${v.getString("id")}") {
                val expected = v.getJSONObject("expect").getJSONArray("steps")
                assertEquals(canonicalJson(expected), canonicalJson(OpsConformance.typedEngineSteps(v)), "typed path of ${v.getString("id")}")
            }
        }

    @Test
    fun thereAreVectors() {
        assertTrue(vectors.size >= 15, "found ${vectors.size} vectors")
        assertTrue(vectors.all { !it.isNull("expect") }, "a vector has no expected outcome")
    }

    /** The comparison the runner relies on: numbers by value (7.0 is 7), keys unordered, lists ordered. */
    @Test
    fun jsonComparisonIsByValue() {
        fun same(a: String, b: String) = canonicalJson(JSONTokener(a).nextValue()) == canonicalJson(JSONTokener(b).nextValue())
        assertTrue(same("""{"n": 7.0, "m": [0.10, "x"]}""", """{"m": [0.1, "x"], "n": 7}"""))
        assertTrue(same("""{"n": 1e2}""", """{"n": 100}"""))
        assertTrue(!same("""{"n": 7.5}""", """{"n": 7}"""))
        assertTrue(!same("""{"n": "7"}""", """{"n": 7}"""))
        assertTrue(!same("""[1, 2]""", """[2, 1]"""))
        assertTrue(!same("""{"a": null}""", """{}"""))
        assertNotEquals(canonicalJson(JSONObject("""{"a": true}""")), canonicalJson(JSONObject("""{"a": 1}""")))
    }

    @TestFactory
    fun everyVectorGivesItsExpectedOutcome(): List<DynamicTest> = vectors.map { v ->
        DynamicTest.dynamicTest(v.getString("id")) {
            assumeFalse(v.getString("op") in pending, "op ${v.getString("op")} is not bound in Kotlin yet (conformance/pending.json)")
            val got = run(v)
            val expected = v.getJSONObject("expect")
            assertEquals(canonicalJson(expected), canonicalJson(got), "expected $expected\ngot      $got")
        }
    }
}
