"""Apache Jena's SHACL validator (Debian's libapache-jena-java), run as a command for the tests.

Debian packages Jena's jars without its ``shacl`` script, so the command line is put together
here: Jena's jars and the few libraries its Turtle/N-Triples path loads (found by running it),
one SLF4J binding, and Jena's ``shacl.shacl`` main class. Debian's jena-core 4.5.0 also ships
the message bundles of its bundled Xerces under the relocated package name while the classes
keep the original one, so Jena fails to start ("internal error" in XSSimpleTypeDecl); the
bundles are copied to where the classes look for them.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

from rdflib import Graph

JAVA_DIR = Path("/usr/share/java")
RELOCATED = "org/apache/jena/ext/xerces/"
JARS = ("jena-base", "jena-core", "jena-arq", "jena-iri", "jena-shacl", "jena-cmds", "commons-lang3", "guava",
        "thrift", "commons-compress", "slf4j-api", "slf4j-nop")


def missing() -> str | None:
    """Why Jena cannot run here, or ``None``."""
    if shutil.which("java") is None:
        return "java is not installed (scripts/system-deps.sh installs libapache-jena-java)"
    absent = [name for name in JARS if not (JAVA_DIR / f"{name}.jar").exists()]
    if absent:
        return f"{', '.join(absent)} missing from {JAVA_DIR} (scripts/system-deps.sh installs libapache-jena-java)"
    return None


def classpath(work: Path) -> str:
    """The jars Jena needs, and the folder of Xerces' message bundles put back in place."""
    bundles = work / "xerces-bundles"
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(RELOCATED) and name.endswith(".properties"):
                target = bundles / "xerces" / name[len(RELOCATED):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return ":".join([*(str(JAVA_DIR / f"{name}.jar") for name in JARS), str(bundles)])


def validate(cp: str, shapes: Path, data: Path) -> Graph:
    """Jena's SHACL validation report of ``data`` against ``shapes``, each read from its file alone."""
    done = subprocess.run(["java", "-cp", cp, "shacl.shacl", "validate", "--shapes", str(shapes),
                           "--data", str(data)], capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or "ValidationReport" not in done.stdout:
        raise AssertionError(f"Jena failed on {data.name}: {(done.stderr or done.stdout)[-2000:]}")
    return Graph().parse(data=done.stdout, format="turtle")
