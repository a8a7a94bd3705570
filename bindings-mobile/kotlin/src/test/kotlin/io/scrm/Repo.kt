package io.scrm

import java.io.File

/** The repository root, passed in by Maven (see pom.xml). */
val repo: File = File(System.getProperty("scrm.repo") ?: "../..").canonicalFile

fun readRepoFile(path: String): String = File(repo, path).readText()
