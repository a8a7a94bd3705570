package io.scrm

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.math.BigDecimal
import java.time.Instant

/** Billing (meter, price, advance fees, Pricing), CPS commission and usage packs: money as decimal strings. */
class BillingTest {
    private val graduated = """{"model": "graduated", "tiers": [{"from": 0, "to": 100, "unit_price": "0.10"},
        {"from": 101, "to": 1000, "unit_price": "0.08", "flat_fee": "5.00"}, {"from": 1001, "unit_price": "0.05"}]}"""
    private val packs = JSONObject(readRepoFile("examples/playbooks/brand.json")).getJSONObject("pricing").getJSONObject("packs")

    @Test
    fun meterPriceAndAdvanceFees() {
        val metered = JSONObject(
            meterJson(
                """[{"id": "sms", "event": "sms_sent", "aggregation": "count"}]""",
                """[{"id": "e1", "customer_id": "c1", "type": "sms_sent", "at": "2026-03-31T17:30:00Z"}]""",
                """{"timezone": "Asia/Shanghai"}""",
            ),
        )
        assertEquals("2026-04-01", metered.getJSONArray("values").getJSONObject(0).getJSONObject("period").getString("first_day"))
        val price = JSONObject(priceJson(graduated, "\"1500\"", "CNY"))
        assertEquals("112.00", price.getJSONObject("amount").getString("amount"))
        assertEquals(BigDecimal("112.00"), BigDecimal(price.getString("precise_amount")))
        val fees = JSONObject(advanceFeesJson(graduated, """["99"]""", """["1", "1"]""", "CNY"))
        assertEquals("5.18", fees.getJSONObject("total").getString("amount"))
    }

    @Test
    fun pricingInvoicesASubscription() {
        val pricing = Pricing.fromJson(
            """{"meters": [{"id": "sms", "event": "sms_sent", "aggregation": "count", "unit": "messages"}],
                "plans": [{"id": "basic", "name": "Basic", "currency": "CNY", "interval": "month", "fee": "299.00",
                "charges": [{"id": "sms", "meter": "sms", "included": 1000, "price": {"model": "standard", "unit_price": "0.05"}}]}]}""",
        )
        val sub = """{"id": "s1", "customer_id": "c1", "plan": "basic", "started_at": "2026-03-01T00:00:00Z", "timezone": "UTC"}"""
        val invoice = JSONObject(pricing.invoiceJson(sub, """{"sms": "1500"}""", Instant.parse("2026-03-10T00:00:00Z"), Instant.parse("2026-04-02T00:00:00Z")))
        assertEquals("324.00", invoice.getJSONObject("total").getString("amount"), invoice.toString())
        val statement = JSONObject(pricing.statementJson(sub, "{}", Instant.parse("2026-04-02T00:00:00Z")))
        assertEquals(2, statement.getJSONArray("invoices").length())
        Playbook.fromJson(readRepoFile("examples/playbooks/brand.json")).use { Pricing.fromPlaybook(it).close() }
    }

    @Test
    fun playbookSectionsFeedTheDocumentCalls() {
        Playbook.fromJson(readRepoFile("examples/playbooks/brand.json")).use { playbook ->
            Pricing.fromJson(playbook.pricingSectionJson()).close()
            val section = JSONObject(playbook.packsSectionJson() ?: throw AssertionError("brand.json sells packs"))
            val ladder = JSONObject(packLadderJson(JSONObject().put("packs", section).toString()))
            assertEquals(4, ladder.getJSONArray("packs").length())
            val plan = playbook.commissionSectionJson() ?: throw AssertionError("brand.json pays commission")
            val lines = JSONObject(commissionJson("""{"plan": $plan, "sales": [], "as_of": "2026-03-10T00:00:00Z"}"""))
            assertEquals(0, lines.getJSONArray("lines").length())
        }
        val bare = Playbook.fromJson("""{"schema_version": 1, "tenant_id": "t", "timezone": "UTC"}""")
        assertEquals(null, bare.packsSectionJson())
        assertEquals(null, bare.commissionSectionJson())
    }

    @Test
    fun commissionAndPacks() {
        val commission = JSONObject(
            commissionJson(
                """{"plan": {"currency": "CNY", "attribution": {"model": "last_touch"}, "hold": "15d", "channel_rates": {"wecom": "0.10"}},
                "sales": [{"id": "s1", "at": "2026-03-01T00:00:00Z", "amount": "1000.00", "currency": "CNY",
                "touches": [{"at": "2026-02-25T00:00:00Z", "channel": "wecom", "promoter": "p_li"}]}], "as_of": "2026-03-10T00:00:00Z"}""",
            ),
        )
        assertEquals("100.00", commission.getJSONObject("totals").getString("held"))
        val attributed = JSONObject(
            attributeJson(
                """{"attribution": {"model": "linear"}, "sale": {"id": "s1", "at": "2026-03-31T12:00:00Z", "amount": "1000.00", "currency": "CNY",
                "touches": [{"at": "2026-03-11T12:00:00Z", "channel": "douyin"}, {"at": "2026-03-21T12:00:00Z", "channel": "wecom"}, {"at": "2026-03-30T12:00:00Z", "channel": "wecom"}]}}""",
            ),
        )
        assertEquals("333.34", attributed.getJSONArray("credits").getJSONObject(0).getString("amount"))
        val ladder = JSONObject(packLadderJson(JSONObject().put("packs", packs).toString()))
        assertEquals("0.0364", ladder.getJSONArray("packs").getJSONObject(1).getString("unit_price"))
        val wallet = purchaseJson(JSONObject().put("packs", packs).put("pack_id", "sms_1k").put("wallet_id", "w1").put("at", "2026-03-01T00:00:00Z").toString())
        val consumed = JSONObject(consumeJson("""{"wallets": [$wallet], "usages": [{"id": "u1", "at": "2026-03-02T00:00:00Z", "quantity": "300"}]}"""))
        assertEquals("700", consumed.getJSONArray("wallets").getJSONObject(0).getString("paid_units"))
    }

    @Test
    fun errorsNameTheirPath() {
        val currency = assertThrows<ScrmException.Validation> { priceJson(graduated, "\"1\"", "XXQ") }
        assertEquals(listOf("currency"), currency.problems.map { it.path })
        val pricing = assertThrows<ScrmException.Validation> { Pricing.fromJson("""{"plans": [{"id": ""}]}""") }
        assertTrue(pricing.problems.all { it.path.startsWith("plans[0]") }, pricing.problems.toString())
        val pack = assertThrows<ScrmException.Validation> {
            purchaseJson(JSONObject().put("packs", packs).put("pack_id", "nope").put("wallet_id", "w1").put("at", "2026-03-01T00:00:00Z").toString())
        }
        assertTrue(pack.problems.any { it.path.contains("pack_id") }, pack.problems.toString())
    }

    @Test
    fun garbageNeverCrashes() {
        val now = Instant.parse("2026-03-17T02:00:00Z")
        val pricing = Pricing.fromJson("{}")
        for (g in listOf("", "[", "null", "{}", "x".repeat(100_000), "[".repeat(50_000), "\"1e400\"")) {
            for (call in listOf<() -> Unit>(
                { meterJson(g, g, g) },
                { priceJson(g, g, g) },
                { priceJson(graduated, g, "CNY") },
                { advanceFeesJson(graduated, g, g, "CNY") },
                { Pricing.fromJson(g).close() },
                { pricing.invoiceJson(g, g, now, now) },
                { pricing.statementJson(g, g, now) },
                { attributeJson(g) },
                { commissionJson(g) },
                { commissionStatementJson(g) },
                { packLadderJson(g) },
                { purchaseJson(g) },
                { consumeJson(g) },
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
