package io.scrm

import org.json.JSONArray
import org.json.JSONObject
import org.json.JSONTokener
import java.time.OffsetDateTime
import java.time.Instant

/** `x["key"]` of serde_json: the value, or JSON null when `x` is not an object or lacks the key. */
fun Any?.at(key: String): Any = (this as? JSONObject)?.opt(key) ?: JSONObject.NULL

/** `x[index]` of serde_json. */
fun Any?.at(index: Int): Any = (this as? JSONArray)?.opt(index) ?: JSONObject.NULL

/** The items of a JSON list; none when `x` is not a list. */
fun Any?.items(): List<Any> = (this as? JSONArray)?.let { a -> (0 until a.length()).map { a.get(it) } } ?: emptyList()

fun parseJson(text: String): Any = JSONTokener(text).nextValue()

/** An object with every key kept, null values as JSON null (org.json drops a key put with null). */
fun obj(vararg pairs: Pair<String, Any?>): JSONObject =
    JSONObject().apply { pairs.forEach { (k, v) -> put(k, v ?: JSONObject.NULL) } }

fun arr(items: List<Any?>): JSONArray = JSONArray(items.map { it ?: JSONObject.NULL })

/** `{"error": {"kind", "paths"}}`, as the Rust runner writes an error. */
fun errorOutcome(e: ScrmException): JSONObject {
    val (kind, problems) = when (e) {
        is ScrmException.Parse -> "parse" to e.problems
        is ScrmException.Validation -> "validation" to e.problems
        is ScrmException.UnsupportedVersion -> "unsupported_version" to e.problems
        is ScrmException.Internal -> "internal" to e.problems
    }
    return JSONObject().put("error", JSONObject().put("kind", kind).put("paths", JSONArray(problems.map { it.path })))
}

/**
 * The engine, pool, social, analytics, billing, CPS and pack ops of the conformance vectors, run
 * through the Kotlin API and projected exactly as scrm-core/tests/conformance.rs projects them.
 */
object OpsConformance {
    private fun outcome(work: () -> Any): Any = try {
        work()
    } catch (e: ScrmException) {
        errorOutcome(e)
    }

    /** A field as JSON text ("null" when absent), as `v[key].to_string()`: strings quoted. */
    private fun field(v: JSONObject, key: String): String = JSONObject.valueToString(v.at(key))

    /** A field as JSON text; an absent list is an empty one. */
    private fun text(v: JSONObject, key: String): String = if (v.isNull(key)) "[]" else field(v, key)

    private fun optionalText(v: JSONObject, key: String): String? = if (v.isNull(key)) null else field(v, key)

    private fun instant(value: Any): Instant = OffsetDateTime.parse(value as String).toInstant()

    private fun time(v: JSONObject, key: String): Instant = instant(v.get(key))

    private fun wants(v: JSONObject, key: String): Boolean = v.at("report").items().any { it == key }

    /** Runs the op of `v`, or returns null when it is not one of these. */
    fun run(v: JSONObject): Any? = when (v.getString("op")) {
        "pool.due", "pool.claim", "transfer.plan", "transfer.status", "assignment.assign" -> runPool(v)
        "billing.meter" -> outcome { billingMeter(v) }
        "billing.price" -> outcome {
            val out = parseJson(priceJson(field(v, "charge"), field(v, "quantity"), currency(v)))
            obj("amount" to out.at("amount").at("amount"), "precise_amount" to out.at("precise_amount"), "explanation" to out.at("explanation"))
        }
        "billing.advance" -> outcome {
            val out = parseJson(advanceFeesJson(field(v, "charge"), text(v, "prior"), text(v, "events"), currency(v)))
            obj("fees" to arr(out.at("fees").items().map { it.at("amount").at("amount") }), "total" to out.at("total").at("amount"))
        }
        "billing.invoice" -> outcome {
            Pricing.fromJson(field(v, "pricing")).use { p ->
                invoiceSummary(parseJson(p.invoiceJson(field(v, "subscription"), field(v, "usage"), time(v, "at"), time(v, "now"))))
            }
        }
        "billing.statement" -> outcome {
            Pricing.fromJson(field(v, "pricing")).use { p ->
                val out = parseJson(p.statementJson(field(v, "subscription"), field(v, "usage"), time(v, "now")))
                obj("invoices" to arr(out.at("invoices").items().map { invoiceSummary(it) }), "total" to out.at("total").at("amount"))
            }
        }
        "social.propagation" -> outcome {
            obj("summary" to propagationSummary(parseJson(propagationJson(text(v, "events"), optionalText(v, "rules")))))
        }
        "social.fission" -> outcome {
            val out = fissionJson(field(v, "campaign"), text(v, "events"), optionalText(v, "existing_friends"), time(v, "now"))
            obj("summary" to fissionSummary(parseJson(out)))
        }
        "analytics.funnel" -> outcome { obj("summary" to funnelSummary(parseJson(funnelJson(field(v, "options"), text(v, "journeys"))))) }
        "analytics.became" -> outcome { obj("summary" to parseJson(becameJson(field(v, "options"), text(v, "journeys")))) }
        "analytics.cohorts" -> outcome {
            obj("summary" to parseJson(cohortsJson(field(v, "options"), text(v, "journeys"), time(v, "as_of"))))
        }
        "analytics.cost_per_lead" -> outcome {
            obj("summary" to parseJson(costPerLeadJson(field(v, "options"), text(v, "journeys"), text(v, "spend"))))
        }
        "engine.run" -> engineRun(v)
        "engine.batch" -> engineBatch(v)
        "cps.attribute" -> billing(v, ::attributeJson) { a ->
            obj(
                "credits" to pick(a.at("credits"), "touch_index", "weight", "amount"),
                "excluded" to pick(a.at("excluded"), "touch_index", "reason"),
                "unattributed" to a.at("unattributed"),
            )
        }
        "cps.commission" -> billing(v, ::commissionJson, ::linesView)
        "cps.statement" -> billing(v, ::commissionStatementJson, ::linesView)
        "packs.ladder" -> billing(v, ::packLadderJson) { l ->
            obj("packs" to pick(l.at("packs"), "id", "total_units", "unit_price", "discount_percent"))
        }
        "packs.purchase" -> billing(v, ::purchaseJson) { w -> obj("wallet" to w) }
        "packs.consume" -> billing(v, ::consumeJson, ::consumeView)
        else -> null
    }

    private fun currency(v: JSONObject): String = v.opt("currency") as? String ?: ""

    // ---- pool ----------------------------------------------------------------------------------

    private fun poolRules(v: JSONObject): PoolRules {
        val text = when (val p = v.at("playbook")) {
            is String -> readRepoFile(p)
            else -> p.toString()
        }
        return Playbook.fromJson(text).use { PoolRules(it) }
    }

    private fun runPool(v: JSONObject): Any = outcome {
        poolRules(v).use { rules ->
            val now = time(v, "now")
            parseJson(
                when (v.getString("op")) {
                    "pool.due" -> rules.dueJson(field(v, "customers"), now)
                    "pool.claim" -> rules.claimJson(field(v, "employee"), field(v, "customer"), now)
                    "transfer.plan" -> rules.planTransferJson(field(v, "request"), text(v, "history"), optionalText(v, "employees"), now)
                    "transfer.status" -> rules.transferStatusJson(field(v, "records"), optionalText(v, "employees"), now)
                    else -> rules.assignJson(field(v, "employees"), optionalText(v, "state"), field(v, "leads"), now)
                },
            )
        }
    }

    // ---- billing -------------------------------------------------------------------------------

    private fun billingMeter(v: JSONObject): Any {
        val out = parseJson(meterJson(field(v, "meters"), text(v, "events"), optionalText(v, "options")))
        val values = out.at("values").items().map { x ->
            val period = x.at("period")
            obj(
                "customer_id" to x.at("customer_id"), "meter_id" to x.at("meter_id"),
                "first_day" to period.at("first_day"), "last_day" to period.at("last_day"),
                "start" to period.at("start"), "value" to x.at("value"), "events" to x.at("events"),
            )
        }
        val r = out.at("report")
        fun listed(key: String, f: String) = arr(r.at(key).items().map { c -> obj("index" to c.at("index"), f to c.at(f)) })
        return obj(
            "values" to arr(values),
            "report" to obj(
                "accepted" to r.at("accepted"), "replayed" to r.at("replayed"), "unmetered" to r.at("unmetered"),
                "conflicts" to listed("conflicts", "id"), "rejected" to listed("rejected", "path"),
            ),
        )
    }

    /** An invoice reduced to what vectors pin, as the Rust runner's `invoice_summary`. */
    private fun invoiceSummary(inv: Any): JSONObject {
        val lines = inv.at("lines").items().map { l -> obj("kind" to l.at("kind"), "amount" to l.at("amount").at("amount")) }
        val coupons = inv.at("coupons").items().map { c ->
            obj("coupon" to c.at("coupon"), "discount" to c.at("discount").at("amount")).apply {
                if ((c as? JSONObject)?.has("remaining") == true) put("remaining", c.at("remaining").at("amount"))
            }
        }
        val period = inv.at("period")
        return obj(
            "first_day" to period.at("first_day"), "last_day" to period.at("last_day"),
            "status" to inv.at("status"), "currency" to inv.at("currency"), "lines" to arr(lines),
            "subtotal" to inv.at("subtotal").at("amount"), "discount" to inv.at("discount").at("amount"),
            "total" to inv.at("total").at("amount"), "coupons" to arr(coupons),
        )
    }

    /** The vector without its `id`, `description`, `op` and `expect`: a CPS or pack input. */
    private fun document(v: JSONObject): String = JSONObject(v.toString()).apply {
        listOf("id", "description", "op", "expect").forEach { remove(it) }
    }.toString()

    private fun billing(v: JSONObject, op: (String) -> String, project: (Any) -> Any): Any =
        outcome { project(parseJson(op(document(v)))) }

    /** Keeps the named fields of each object of a list. */
    private fun pick(list: Any, vararg keys: String): Any {
        if (list !is JSONArray) return JSONObject.NULL
        return arr(list.items().map { item ->
            JSONObject().apply { keys.forEach { k -> if ((item as? JSONObject)?.has(k) == true) put(k, item.get(k)) } }
        })
    }

    private val lineKeys = arrayOf(
        "sale_id", "touch_index", "level", "promoter", "attributed", "rate", "rate_source", "commission", "paid", "amount", "status",
    )

    private fun linesView(c: Any): Any = obj("lines" to pick(c.at("lines"), *lineKeys), "totals" to c.at("totals"))

    private fun consumeView(c: Any): Any {
        val consumptions = c.at("consumptions").items().map { x ->
            obj(
                "usage_id" to x.at("usage_id"), "consumed" to x.at("consumed"), "shortfall" to x.at("shortfall"),
                "lines" to pick(x.at("lines"), "wallet_id", "kind", "units"),
                "expired" to pick(x.at("expired"), "wallet_id", "bonus_units", "paid_units"),
            )
        }
        return obj("wallets" to pick(c.at("wallets"), "id", "paid_units", "bonus_units"), "consumptions" to arr(consumptions))
    }

    // ---- social and analytics ------------------------------------------------------------------

    private fun propagationSummary(out: Any): JSONObject {
        val trees = out.at("trees").items().map { t ->
            JSONObject(t.toString()).put("nodes", arr(t.at("nodes").items().map { n ->
                obj("customer_id" to n.at("customer_id"), "parent" to n.at("parent"), "depth" to n.at("depth"))
            }))
        }
        return obj("trees" to arr(trees), "skipped" to arr(out.at("skipped").items().map { it.at("event_id") }))
    }

    private fun fissionSummary(out: Any): JSONObject {
        val inviters = out.at("inviters").items().map { i ->
            obj(
                "inviter_id" to i.at("inviter_id"), "count" to i.at("count"), "reward_earned" to i.at("reward_earned"),
                "reached_at" to i.at("reached_at"),
                "helps" to arr(i.at("helps").items().map { h -> arr(listOf(h.at("event_id"), h.at("status"))) }),
            )
        }
        return obj("inviters" to arr(inviters), "unattributed" to out.at("unattributed"))
    }

    private fun countsSummary(c: Any): JSONObject = obj(
        "key" to c.at("key"), "journeys" to c.at("journeys"), "unstaged" to c.at("unstaged"),
        "counts" to arr(c.at("stages").items().map { it.at("count") }),
        "rates" to arr(c.at("conversions").items().map { it.at("rate") }),
        "overall" to c.at("overall"),
    )

    private fun funnelSummary(out: Any): JSONObject = obj(
        "overall" to countsSummary(out.at("overall")),
        "by_channel" to arr(out.at("by_channel").items().map { countsSummary(it) }),
        "by_owner" to arr(out.at("by_owner").items().map { countsSummary(it) }),
        "time_in_stage" to out.at("time_in_stage"),
    )

    // ---- engine --------------------------------------------------------------------------------

    /** The engine of a vector: a playbook file, or an object completed with version, tenant "t", UTC. */
    private fun engineOf(v: JSONObject): Engine {
        val text = when (val p = v.at("playbook")) {
            is String -> readRepoFile(p)
            is JSONObject -> JSONObject().put("schema_version", 1).put("tenant_id", "t").put("timezone", "UTC").apply {
                p.keySet().forEach { put(it, p.get(it)) }
            }.toString()
            else -> throw AssertionError("vector ${v.getString("id")} has playbook $p")
        }
        return Playbook.fromJson(text).use { Engine(it) }
    }

    /** An event of a vector: `tenant_id` defaults to the playbook's tenant, `customer_id` to "c1". */
    private fun eventText(engine: Engine, e: Any): String = JSONObject(e.toString()).apply {
        if (!has("tenant_id")) put("tenant_id", engine.tenantId())
        if (!has("customer_id")) put("customer_id", "c1")
    }.toString()

    /** The effects of one step with only what is there, as the Rust runner's `step_summary`. */
    private fun stepSummary(effects: Any): JSONObject {
        val out = JSONObject()
        for (flag in listOf("replayed", "refolded")) if (effects.at(flag) == true) out.put(flag, true)
        fun list(key: String) = effects.at(key).items()
        val tags = list("tags").map { t ->
            val sign = when (t.at("action")) {
                "added" -> "+"
                "removed" -> "-"
                else -> "~"
            }
            sign + (t.at("tag_id") as? String ?: "")
        }
        val stages = list("stages").map { c -> arr(listOf(c.at("from"), c.at("to"), c.at("rule"))) }
        val thresholds = list("thresholds").map { t -> (if (t.at("fired") == true) "+" else "-") + (t.at("id") as? String ?: "") }
        for ((key, value) in listOf(
            "tags" to tags, "stages" to stages, "thresholds" to thresholds,
            "tasks" to list("tasks").map { it.at("id") }, "alerts" to list("alerts").map { it.at("id") },
        )) {
            if (value.isNotEmpty()) out.put(key, arr(value))
        }
        val delta = effects.at("score").at("delta") as? String
        if (delta != null && delta != "0") out.put("delta", delta)
        return out
    }

    /** What a vector asks about a profile (`report`), as the Rust runner's `profile_report`. */
    private fun profileReport(engine: Engine, v: JSONObject, profile: String, out: JSONObject) {
        val p = parseJson(profile)
        val scoreKeys = listOf("score", "components", "grade", "rules", "groups", "total_capped", "fit", "social")
        if (scoreKeys.any { wants(v, it) }) {
            val score = parseJson(engine.scoreJson(profile, instant(v.get("now"))))
            val x = score.at("explanation")
            fun keyed(key: String, id: String, vararg fields: String): JSONObject = JSONObject().apply {
                for (part in x.at(key).items()) {
                    put(part.at(id) as? String ?: "", JSONObject().apply { fields.forEach { put(it, part.at(it)) } })
                }
            }
            val all = listOf(
                "score" to score.at("score"),
                "components" to obj("engagement" to score.at("engagement"), "fit" to score.at("fit"), "social" to score.at("social")),
                "grade" to score.at("grade"),
                "rules" to keyed("rules", "rule", "events", "raw", "capped", "decayed", "points"),
                "groups" to keyed("groups", "group", "net", "capped", "points"),
                "total_capped" to x.at("total_capped"),
                "fit" to keyed("fit", "rule", "matched", "points", "grade_steps"),
                "social" to keyed("social", "source", "amount", "raw", "capped", "points"),
            )
            for ((key, value) in all) if (wants(v, key)) out.put(key, value)
        }
        val live = p.at("live")
        if (wants(v, "stage")) out.put("stage", live.at("customer").at("stage"))
        if (wants(v, "history")) {
            out.put("history", arr(live.at("lifecycle").at("history").items().map { c ->
                arr(listOf(c.at("from"), c.at("to"), c.at("rule"), c.at("at")))
            }))
        }
        if (wants(v, "fired")) out.put("fired", arr(live.at("fired").items().map { it.at("id") }))
        if (wants(v, "tags")) {
            out.put("tags", arr(live.at("customer").at("tags").items().mapNotNull { it.at("tag_id") as? String }.sorted()))
        }
        if (wants(v, "pool_facts")) out.put("pool_facts", parseJson(engine.poolFactsJson(profile)))
    }

    /** One customer through `steps`: apply an event, tick, fold a batch, or re-score under an
     *  edited playbook (whose engine then runs the steps after it). */
    private fun engineRun(v: JSONObject): JSONObject {
        var engine = engineOf(v)
        try {
            var profile: String? = if (v.isNull("customer")) null else engine.newProfileJson(field(v, "customer"))
            val steps = JSONArray()
            for (step in v.at("steps").items()) {
                val result = try {
                    when {
                        (step as JSONObject).has("event") -> {
                            val e = step.get("event")
                            val now = step.opt("now") ?: e.at("at")
                            engine.applyJson(profile, eventText(engine, e), instant(now))
                        }
                        step.has("tick") -> engine.tickJson(profile ?: throw AssertionError("a profile before a tick"), instant(step.get("tick")))
                        step.has("rescore") -> {
                            val r = step.get("rescore") as JSONObject
                            val edited = engineOf(r)
                            engine.close()
                            engine = edited
                            val history = arr(r.at("events").items().map { parseJson(eventText(engine, it)) })
                            engine.rescoreJson(profile ?: throw AssertionError("a profile before a rescore"), history.toString(), instant(r.get("now")))
                        }
                        else -> {
                            val events = arr(step.at("events").items().map { parseJson(eventText(engine, it)) })
                            val out = parseJson(engine.foldJson(profile?.let { "[$it]" } ?: "[]", events.toString()))
                            val refused = out.at("report").at("refused").items().map { it.at("event_id") }
                            obj("profile" to out.at("profiles").at(0), "effects" to obj("refused" to arr(refused))).toString()
                        }
                    }
                } catch (e: ScrmException) {
                    steps.put(errorOutcome(e))
                    continue
                }
                val out = parseJson(result)
                profile = out.at("profile").toString()
                val summary = stepSummary(out.at("effects"))
                val refused = out.at("effects").at("refused")
                if (refused.items().isNotEmpty()) summary.put("refused", refused)
                steps.put(summary)
            }
            val out = JSONObject()
            if (wants(v, "steps")) out.put("steps", steps)
            profile?.let { profileReport(engine, v, it, out) }
            return out
        } finally {
            engine.close()
        }
    }

    /** Whether the typed calls can run `v`: an `engine.run` of events and ticks whose steps all succeed. */
    fun typedEngineRuns(v: JSONObject): Boolean =
        v.getString("op") == "engine.run" && wants(v, "steps") &&
            v.at("steps").items().all { (it as JSONObject).has("event") || it.has("tick") } &&
            v.at("expect").at("steps").items().none { (it as JSONObject).has("error") }

    /** The effects of one step through the typed records, summarised as `stepSummary` does. */
    private fun typedSummary(e: Effects): JSONObject {
        val out = JSONObject()
        if (e.replayed) out.put("replayed", true)
        if (e.refolded) out.put("refolded", true)
        val sign = mapOf("added" to "+", "removed" to "-")
        val lists = listOf(
            "tags" to e.tags.map { (sign[it.action] ?: "~") + it.tagId },
            "stages" to e.stages.map { arr(listOf(it.from, it.to, it.rule)) },
            "thresholds" to e.thresholds.map { (if (it.fired) "+" else "-") + it.id },
            "tasks" to e.tasks.map { it.id },
            "alerts" to e.alerts.map { it.id },
        )
        for ((key, value) in lists) if (value.isNotEmpty()) out.put(key, arr(value))
        e.score?.delta?.takeIf { it != "0" }?.let { out.put("delta", it) }
        return out
    }

    /** The `steps` of an `engine.run` vector through `apply` and `tick` with typed events and effects. */
    fun typedEngineSteps(v: JSONObject): JSONArray = engineOf(v).use { engine ->
        var profile: String? = if (v.isNull("customer")) null else engine.newProfile(customerFromJson(field(v, "customer")))
        val steps = JSONArray()
        for (step in v.at("steps").items()) {
            val applied = if ((step as JSONObject).has("event")) {
                val e = step.get("event")
                engine.apply(profile, eventFromJson(eventText(engine, e)), instant(step.opt("now") ?: e.at("at")))
            } else {
                engine.tick(profile ?: throw AssertionError("a profile before a tick"), instant(step.get("tick")))
            }
            profile = applied.profileJson
            steps.put(typedSummary(applied.effects))
        }
        steps
    }

    /** Many customers folded in batches; `report` asks for fold, stages, scores, rfm, priority. */
    private fun engineBatch(v: JSONObject): JSONObject = engineOf(v).use { engine ->
        var profiles: List<Any> = v.at("customers").items().map { parseJson(engine.newProfileJson(JSONObject.valueToString(it))) }
        val batches = (v.at("batches") as? JSONArray)?.items() ?: listOf(v.at("events"))
        val folds = JSONArray()
        for (batch in batches) {
            val events = arr(batch.items().map { parseJson(eventText(engine, it)) })
            val out = parseJson(engine.foldJson(arr(profiles).toString(), events.toString()))
            profiles = out.at("profiles").items()
            val r = out.at("report")
            val refused = r.at("refused").items().map { it.at("event_id") }
            folds.put(obj("applied" to r.at("applied"), "replayed" to r.at("replayed"), "created" to r.at("created"), "refused" to arr(refused)))
        }
        val all = arr(profiles).toString()
        val out = JSONObject()
        fun id(p: Any) = p.at("live").at("customer").at("id") as? String ?: ""
        if (wants(v, "fold")) out.put("fold", folds)
        if (wants(v, "stages")) {
            out.put("stages", JSONObject().apply { profiles.forEach { put(id(it), it.at("live").at("customer").at("stage")) } })
        }
        if (wants(v, "scores")) {
            out.put("scores", JSONObject().apply {
                profiles.forEach { put(id(it), parseJson(engine.scoreJson(it.toString(), instant(v.get("now")))).at("score")) }
            })
        }
        if (wants(v, "rfm")) {
            val mode = v.at("rfm_mode") as? String ?: "binary"
            val rows = parseJson(engine.rfmJson(all, instant(v.get("now")), mode)).items().map { r ->
                obj("customer_id" to r.at("customer_id"), "r" to r.at("r"), "f" to r.at("f"), "m" to r.at("m")).apply {
                    if ((r as JSONObject).has("segment")) put("segment", r.get("segment"))
                }
            }
            out.put("rfm", arr(rows))
        }
        if (wants(v, "priority")) {
            out.put("priority", parseJson(engine.priorityListJson(v.getString("owner"), all, instant(v.get("now")))))
        }
        out
    }
}
