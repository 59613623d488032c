"""JUnit XML for CI systems: a testsuite per fixture file or context group."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..testing.runner import TestReport
from .escape import xml_chars as x


def render_junit(report: TestReport) -> str:
    root = ET.Element(
        "testsuites", name="rototo", tests=str(len(report.cases)), failures=str(len(report.failed))
    )
    for suite_name, cases in report.suites().items():
        failures = sum(1 for c in cases if not c.passed)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=x(suite_name),
            tests=str(len(cases)),
            failures=str(failures),
            errors="0",
            time=f"{sum(c.seconds for c in cases):.4f}",
        )
        for case in cases:
            element = ET.SubElement(
                suite,
                "testcase",
                name=x(case.name),
                classname=x(suite_name),
                time=f"{case.seconds:.4f}",
            )
            if case.file:
                element.set("file", x(case.file))
            if case.line:
                element.set("line", str(case.line))
            if not case.passed:
                failure = ET.SubElement(
                    element, "failure", message=x(case.message[:1000]), type="AssertionError"
                )
                failure.text = x("\n".join(part for part in (case.message, case.details) if part))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
