package io.scrm

import org.json.JSONArray
import org.json.JSONObject
import java.math.BigDecimal

/**
 * A JSON value (as org.json reads it) in a form whose `==` is JSON equality: objects become sorted
 * maps, arrays lists, numbers exact decimals without trailing zeros (so 7.0 equals 7, as in
 * serde_json's comparison of the Rust runner), JSON null Kotlin null.
 */
fun canonicalJson(value: Any?): Any? = when (value) {
    null, JSONObject.NULL -> null
    is JSONObject -> value.keySet().associateWith { canonicalJson(value.get(it)) }.toSortedMap()
    is JSONArray -> (0 until value.length()).map { canonicalJson(value.get(it)) }
    is BigDecimal -> value.stripTrailingZeros()
    is Number -> BigDecimal(value.toString()).stripTrailingZeros()
    else -> value
}
