package io.scrm

import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Identities, resolution and merge through the binding: types and errors (the rules are the core's). */
class IdentityTest {
    private fun customer(id: String, createdAt: String, vararg identities: JSONObject): JSONObject = JSONObject()
        .put("tenant_id", "chayuan-tea").put("id", id).put("created_at", createdAt)
        .put("identities", JSONArray(identities.toList()))

    private fun phone(value: String) = JSONObject().put("kind", "phone").put("value", value)

    @Test
    fun normalizeReturnsAnIdentityRecord() {
        val id: Identity = normalizeIdentity("phone", "138 0013 8000", null)
        assertEquals(Identity("phone", "+8613800138000", scope = null, namespace = null, strong = false), id)
        // scope defaults to null; the record's optional fields default too.
        assertEquals(Identity("email", "li.lei@example.com"), normalizeIdentity("email", "  Li.Lei@Example.COM "))
        assertEquals(Identity("wechat_openid", "oAbc", scope = "wx-app"), normalizeIdentity("wechat_openid", " oAbc ", " wx-app "))
    }

    @Test
    fun badPhoneIsAValidationErrorAtValue() {
        val err = assertThrows<ScrmException.Validation> { normalizeIdentity("phone", "12345", null) }
        assertEquals(1, err.problems.size)
        assertEquals("value", err.problems[0].path)
        assertTrue(err.problems[0].message.contains("\"12345\""), err.problems[0].message)
        assertTrue(err.detail.contains("12345"), err.detail)
        assertTrue(err.message!!.contains("12345"), "Throwable.message carries the detail")
    }

    @Test
    fun unknownKindAndMissingScopeNameTheirField() {
        assertEquals("kind", assertThrows<ScrmException.Validation> { normalizeIdentity("qq", "1") }.problems[0].path)
        assertEquals("kind", assertThrows<ScrmException.Validation> { normalizeIdentity("custom", "1") }.problems[0].path)
        assertEquals("scope", assertThrows<ScrmException.Validation> { normalizeIdentity("douyin_openid", "d1", "  ") }.problems[0].path)
    }

    @Test
    fun customIdentitiesCarryNamespaceAndStrength() {
        assertEquals(Identity("custom", "M-1", namespace = "erp", strong = true), customIdentity(" erp ", " M-1 ", true))
        assertEquals(false, customIdentity("nick", "小王", false).strong)
        assertEquals("namespace", assertThrows<ScrmException.Validation> { customIdentity("", "x", true) }.problems[0].path)
    }

    @Test
    fun resolveReturnsSortedClustersOfIds() {
        val customers = JSONArray(listOf(
            customer("b", "2026-03-01T00:00:00Z", phone("+8613800138000")),
            customer("c", "2026-03-01T00:00:00Z"),
            customer("a", "2026-03-01T00:00:00Z", phone("+8613800138000")),
        ))
        val clusters: List<List<String>> = resolveJson(customers.toString())
        assertEquals(setOf(listOf("a", "b"), listOf("c")), clusters.toSet())
        assertEquals(emptyList<List<String>>(), resolveJson("[]"))
    }

    @Test
    fun resolveErrorsNameTheCustomerField() {
        val bad = JSONArray(listOf(customer("a", "2026-03-01T00:00:00Z", phone("138 0013 8000")))).toString()
        val err = assertThrows<ScrmException.Validation> { resolveJson(bad) }
        assertEquals(listOf("customers[0].identities[0].value"), err.problems.map { it.path })
        assertTrue(err.problems[0].message.contains("+8613800138000"), "suggests the normal form")
        assertEquals(listOf("customers"), assertThrows<ScrmException.Parse> { resolveJson("[") }.problems.map { it.path })
        assertThrows<ScrmException.Validation> { resolveJson("{}") }
    }

    @Test
    fun mergeReturnsTheSurvivorAsJson() {
        val customers = JSONArray(listOf(
            customer("b", "2026-03-02T00:00:00Z", phone("+8613800138000")).put("stage", "sql"),
            customer("a", "2026-03-01T00:00:00Z").put("stage", "lead"),
        )).toString()
        val merged = JSONObject(mergeJson(customers, null))
        assertEquals("a", merged.getString("id"))
        assertEquals(listOf("b"), merged.getJSONArray("merged_ids").toList())
        val policy = """{"stage_order": ["lead", "mql", "sql"]}"""
        assertEquals("sql", JSONObject(mergeJson(customers, policy)).getString("stage"))
        // The policy defaults to null.
        assertEquals(mergeJson(customers, null), mergeJson(customers))
    }

    @Test
    fun mergeErrorsHaveKindsAndPaths() {
        val customers = JSONArray(listOf(customer("a", "2026-03-01T00:00:00Z"))).toString()
        assertEquals(listOf("policy"), assertThrows<ScrmException.Parse> { mergeJson(customers, "{") }.problems.map { it.path })
        assertThrows<ScrmException.Validation> { mergeJson(customers, """{"stage_ordr": []}""") }
        val twoTenants = JSONArray(listOf(
            customer("a", "2026-03-01T00:00:00Z"),
            customer("b", "2026-03-01T00:00:00Z").put("tenant_id", "other"),
        )).toString()
        assertEquals(listOf("tenant_id"), assertThrows<ScrmException.Validation> { mergeJson(twoTenants, null) }.problems.map { it.path })
    }

    @Test
    fun anOldIdResolvesToItsSurvivorThroughMergesOfMerges() {
        val ab = mergeJson(JSONArray(listOf(customer("b", "2026-03-02T00:00:00Z"), customer("a", "2026-03-01T00:00:00Z"))).toString())
        val final = mergeJson("[" + ab + "," + customer("z", "2026-02-01T00:00:00Z") + "]")
        assertEquals("z", JSONObject(final).getString("id"))
        val ids = listOf("b", "a", "z", "never-merged")
        assertEquals(listOf("z", "z", "z", "never-merged"), resolveAliasesJson("[$ab,$final]", ids))
        // The typed form gives the same answer.
        assertEquals(listOf("z", "z", "z", "never-merged"), resolveAliases(listOf(customerFromJson(ab), customerFromJson(final)), ids))
        assertEquals(listOf("a"), resolveAliasesJson("[$ab]", listOf("b")))
        val twoTenants = JSONArray(listOf(
            customer("a", "2026-03-01T00:00:00Z"),
            customer("b", "2026-03-01T00:00:00Z").put("tenant_id", "other"),
        )).toString()
        assertEquals(listOf("tenant_id"), assertThrows<ScrmException.Validation> { resolveAliasesJson(twoTenants, listOf("a")) }.problems.map { it.path })
    }
}
