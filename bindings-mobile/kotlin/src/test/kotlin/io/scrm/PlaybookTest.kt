package io.scrm

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.json.JSONObject

class PlaybookTest {
    @Test
    fun versionMatchesTheCore() {
        assertEquals("0.1.0", version())
    }

    @Test
    fun sampleLoadsEqualFromJsonAndToml() {
        Playbook.fromJson(readRepoFile("examples/playbooks/brand.json")).use { a ->
            Playbook.fromToml(readRepoFile("examples/playbooks/brand.toml")).use { b ->
                assertEquals(a, b)
            }
            assertEquals("chayuan-tea", a.tenantId())
            assertEquals("Asia/Shanghai", a.timezone())
            assertEquals(listOf("wecom", "douyin", "mini_program", "offline"), a.channels().map { it.platform })
            val intent = a.tagGroups().first { it.id == "intent" }
            assertTrue(intent.exclusive)
            assertEquals(listOf("高意向", "中意向", "低意向"), intent.tags.map { it.name })
            Playbook.fromJson(a.toJson()).use { again -> assertEquals(a, again) }
        }
    }

    @Test
    fun validationErrorListsEveryProblemWithItsPath() {
        val text = """{"schema_version": 1, "tenant_id": "t", "timezone": "Mars/Olympus",
            "channels": [{"id": "w", "name": "企业微信", "platform": "wexin"}]}"""
        val err = assertThrows<ScrmException.Validation> { Playbook.fromJson(text) }
        assertEquals(listOf("channels[0].platform", "timezone"), err.problems.map { it.path })
        assertTrue(err.problems[1].message.contains("\"Mars/Olympus\""))
        assertTrue(err.detail.contains("timezone"))
    }

    @Test
    fun parseAndVersionErrorsHaveTheirOwnCase() {
        assertThrows<ScrmException.Parse> { Playbook.fromJson("{") }
        assertThrows<ScrmException.Parse> { Playbook.fromToml("a = ") }
        val err = assertThrows<ScrmException.UnsupportedVersion> {
            Playbook.fromJson("""{"schema_version": 9, "tenant_id": "t", "timezone": "UTC"}""")
        }
        assertEquals(listOf("schema_version"), err.problems.map { it.path })
    }

    @Test
    fun validateReturnsProblemsWithoutThrowing() {
        assertEquals(emptyList<Problem>(), validatePlaybook("""{"schema_version": 1, "tenant_id": "t", "timezone": "UTC"}""", "json"))
        assertEquals(listOf("schema_version"), validatePlaybook("schema_version = 2\n", "toml").map { it.path })
        assertThrows<ScrmException.Validation> { validatePlaybook("{}", "yaml") }
    }

    @Test
    fun jsonSchemaIsJson() {
        assertEquals(false, JSONObject(playbookJsonSchema()).getBoolean("additionalProperties"))
    }
}
