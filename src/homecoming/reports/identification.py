"""The identification report: PDF (reportlab) or HTML, technical or for the family.

:func:`render_pdf` / :func:`render_html` take the plain data of
:func:`homecoming.services.identifications.report_data` and write the report: the missing
person and the remains (site, grave, exhumation, examination summary), the pedigree drawn
with typed and untyped members (matplotlib), the LR with the per-marker table, the posterior
with its prior, the verbal equivalent on the ENFSI (2015) scale, the frequency database with
its hash, mutation model, θ, drop-out, thresholds, rare-allele rule, software version and
input hash, and the reviewers with dates. Demonstration data carries SYNTHETIC on every page.
Where ``data["ancestry"]`` is given (:func:`homecoming.services.identifications.
identification_report_data`), the LR section also holds the LR by frequency database: range,
conservative value, whether the verbal equivalent is the same at it, and a table per database
(the family version: one plain sentence).
The family version (``family=True``) leaves out genotypes and technical tables and says
plainly what was found.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from homecoming.casework.identifications import VERBAL_SCALE_SOURCE, verbal_equivalent

__all__ = ["render_pdf", "render_html", "report_sections", "fmt_lr"]

SYNTHETIC_BANNER = "SYNTHETIC: demonstration data, not a real person or event"


def fmt_lr(x: float | None) -> str:
    if x is None:
        return "-"
    if not math.isfinite(x):
        return "infinite"
    if x >= 1e4 or x < 1e-2:
        mant, exp = f"{x:.3e}".split("e")
        return f"{mant} x 10^{int(exp)}"
    return f"{x:.4g}"


def _prob(x: float) -> str:
    if x > 0.999999 and x < 1:
        return f"1 - {1 - x:.2g}"
    return f"{x:.6g}"


def _name(mp: Mapping[str, Any] | None, fallback: str) -> str:
    if not mp:
        return fallback
    parts = [mp.get("surname"), mp.get("given_name"), mp.get("patronymic")]
    return " ".join(str(p) for p in parts if p)


def _date(value: Any) -> str:
    if value is None:
        return "-"
    return str(value)[:10]


def _labels(ident: Mapping[str, Any]) -> list[dict[str, Any]]:
    refs = {r["pedigree_person"]: r for r in ident["references"] if r.get("pedigree_person")}
    out = []
    for p in ident["pedigree"]:
        q = dict(p)
        if p.get("missing"):
            q["label"] = f"{p['id']} (missing)"
        elif p["id"] in refs:
            r = refs[p["id"]]
            q["label"] = f"{r['relationship']} {r['donor']}"
        else:
            q["label"] = str(p["id"]).split(":")[-1]
        out.append(q)
    return out


def _reviewers(ident: Mapping[str, Any]) -> list[list[str]]:
    rows = [["run", ident["run_by"], _date(ident["created_at"]), ident["run_id"]]]
    for e in ident["review"]:
        rows.append([e["action"], e["actor"], _date(e["at"]), e["note"] or ""])
    return rows


def _log10(x: float | None) -> str:
    if x is None:
        return "-"
    if x <= 0:
        return "-infinite"
    return "infinite" if not math.isfinite(x) else f"{math.log10(x):.2f}"


def _ancestry_technical(anc: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """Paragraphs and table of the ancestry-robust LR (issue 14 item 5) in the technical
    report: range, conservative value, whether the verbal equivalent holds at it, and the LR
    per frequency database (databases lacking a locus of the LR left out, with those loci)."""
    if not anc.get("available"):
        return ([f"LR by frequency database (ancestry-robust LR): not computed: "
                 f"{anc.get('reason')}"], [])
    rows = anc["databases"]
    if anc["range"] is None:
        par = ("LR by frequency database (ancestry-robust LR): none of the "
               f"{len(rows)} frequency databases has every locus of the LR; no range or "
               "conservative value.")
        paragraphs = [par]
    else:
        low, high = anc["range"]
        paragraphs = [
            f"LR by frequency database (ancestry-robust LR): over the {anc['compared']} "
            f"frequency databases with every locus of the LR the LR ranges from "
            f"{fmt_lr(low)} to {fmt_lr(high)} (log10 LR {_log10(low)} to {_log10(high)}); "
            f"conservative value (the minimum): {fmt_lr(anc['conservative_lr'])} "
            f"({anc['conservative_database']})."]
        if anc["same_verbal"]:
            verdict = (f"At the conservative value the verbal equivalent is the same: "
                       f"{anc['conservative_verbal']}")
        else:
            verdict = (f"At the conservative value the verbal equivalent is "
                       f"{anc['conservative_verbal']}, not {anc['verbal']}: the verbal "
                       "conclusion depends on the choice of population")
        if anc.get("conservative_meets_threshold") is not None:
            verdict += ("; it is " + ("at or above" if anc["conservative_meets_threshold"]
                                      else "below")
                        + f" the identification threshold LR {anc['threshold_lr']:g}")
        paragraphs.append(verdict + ".")
    table = {"header": ["Frequency database", "Population", "LR", "log10 LR", "Left out"],
             "rows": [[r["database"], r.get("population") or "-",
                       fmt_lr(r["lr"]) if r["comparable"] else "-",
                       f"{r['log10_lr']:.2f}" if r["comparable"] and r["log10_lr"] is not None
                       else "-",
                       "" if r["comparable"] else
                       ("lacks " + ", ".join(r["missing_loci"]) if r["missing_loci"]
                        else "no LR")] for r in rows],
             "widths_mm": [44, 40, 28, 18, 50],
             "caption": f"LR by frequency database: {anc['rule']}"
                        + (f"; lineage-marker LR {fmt_lr(anc['lineage_lr'])} included"
                           if anc.get("lineage_lr") else "")}
    return paragraphs, [table]


def _ancestry_family(anc: Mapping[str, Any]) -> list[str]:
    """One plain sentence for the family: whether the conclusion holds whichever
    population's DNA frequencies are used (nothing where it could not be checked)."""
    if not anc.get("available") or anc["range"] is None:
        return []
    n = anc["compared"]
    if anc["same_verbal"]:
        return [f"This result was checked with the DNA frequencies of {n} different "
                "populations: the conclusion holds whichever population's frequencies are "
                "used."]
    if anc.get("conservative_meets_threshold"):
        return [f"This result was checked with the DNA frequencies of {n} different "
                "populations: with some of them the DNA evidence is less strong, but it "
                "still reaches the level required for an identification."]
    return [f"This result was checked with the DNA frequencies of {n} different "
            "populations: with some of them the DNA evidence is weaker than stated above, so "
            "the conclusion depends on which population's frequencies are used; the "
            "specialists can explain what this means for this identification."]


def report_sections(data: Mapping[str, Any]) -> dict[str, Any]:
    """The report's text, as sections of (heading, paragraphs, tables): one source for the
    PDF and the HTML."""
    ident = data["identification"]
    family = bool(data["family_version"])
    mp = data["missing_person"]
    name = _name(mp, ident["missing_person"])
    lr = ident["lr"]
    verbal = verbal_equivalent(lr)
    model = ident["model"]
    exam = data["examinations"][0] if data["examinations"] else None
    exh = data["exhumations"][0] if data["exhumations"] else None
    remains = data["remains"] or {}
    grave = data["grave"] or {}
    site = data["site"] or {}
    typed_refs = [r for r in ident["references"] if r["typed"]]
    sections: list[dict[str, Any]] = []
    title = ("Identification report for the family" if family else
             "DNA identification report")
    head = {"title": title, "subtitle": f"{ident['id']} - {name} - remains "
                                        f"{ident['remains'] or '-'}",
            "status": ident["status"]}
    if ident["remains"]:
        finding = (f"The DNA of the remains {ident['remains']} was compared with the DNA of "
                   f"{len(typed_refs)} relative(s) of {name}. The DNA results are "
                   f"{fmt_lr(lr)} times more probable if the remains are {name} than if they "
                   f"are an unrelated person: {verbal} (verbal scale: {VERBAL_SCALE_SOURCE}).")
    else:
        finding = f"No remains were identified as {name}: {ident['conclusion']}."
    status_words = {"confirmed": "The identification has been reviewed and confirmed by the "
                                 "identification board.",
                    "reviewed": "The identification has been reviewed by a second analyst and "
                                "awaits confirmation by the identification board.",
                    "proposed": "The identification is proposed and has not yet been "
                                "reviewed.", "rejected": "The identification was rejected.",
                    "stale": "Later data changed this result; it is under review again."}
    summary = [finding, status_words.get(ident["status"],
                                         f"Status: {ident['status']}.")]
    if ident["posterior"] is not None:
        summary.append(f"Posterior probability {_prob(ident['posterior'])} with the prior "
                       f"{ident['prior']:.3g} (1/N, N = the number of missing persons).")
    sections.append({"heading": "What was found", "paragraphs": summary, "tables": []})
    person_rows = [["Missing person", f"{name} ({ident['missing_person']})"]]
    if mp:
        person_rows += [["Sex", mp.get("sex") or "-"], ["Born", _date(mp.get("birth_date"))],
                        ["Last seen", f"{mp.get('last_seen_place') or '-'}, "
                                      f"{_date(mp.get('last_seen_on'))}"]]
    remains_rows = [["Remains", ident["remains"] or "-"],
                    ["Site", site.get("name") or "-"],
                    ["Grave", f"{grave.get('label') or '-'} "
                              f"({grave.get('marker_inscription') or 'no inscription'})"],
                    ["Recovered", _date(remains.get("recovered_on"))]]
    if exh:
        remains_rows.append(["Exhumation", f"{exh['id']}, {_date(exh['started_on'])} to "
                                           f"{_date(exh.get('ended_on'))}, {exh['method']}"])
    if exam:
        age = exam.get("age") or {}
        stature = exam.get("stature") or {}
        remains_rows += [["Examination", f"{exam['id']}, {_date(exam['examined_on'])}, "
                                         f"{exam['prosector']}"],
                         ["Sex, age", f"{exam['sex']}, "
                                      + (f"{age.get('minimum'):g}-{age.get('maximum'):g} years"
                                         if age else "age not estimated")
                                      + (f", stature {stature.get('minimum'):g}-"
                                         f"{stature.get('maximum'):g} cm" if stature else "")],
                         ["Cause of death", "; ".join(exam.get("cause_of_death") or [])
                          or "-"]]
    sections.append({"heading": "The missing person and the remains", "paragraphs": [],
                     "tables": [{"rows": person_rows}, {"rows": remains_rows}]})
    sections.append({"heading": "The family tree used", "paragraphs": [
        "Filled symbols: relatives with a DNA profile; open symbols: untyped; red: the "
        "missing person. References: " + (", ".join(
            f"{r['relationship']} ({r['donor']})" for r in typed_refs) or "none") + "."],
        "tables": [], "pedigree": _labels(ident)})
    lr_par = [f"Likelihood ratio (remains are {name} vs an unrelated person): {fmt_lr(lr)}"
              + (f" (log10 LR {ident['log10_lr']:.3f})" if ident["log10_lr"] is not None
                 else "") + f". Conclusion of the identification run: {ident['conclusion']}.",
              f"Verbal equivalent: {verbal}. Scale: {VERBAL_SCALE_SOURCE}."]
    tables: list[dict[str, Any]] = []
    if not family:
        tables.append({"header": ["Locus", "LR"],
                       "rows": [[k, fmt_lr(v)] for k, v in ident["per_marker"].items()],
                       "caption": "Per-marker likelihood ratios (their product is the LR)"})
        if ident["runner_ups"]:
            tables.append({"header": ["Other remains", "screening log10 LR"],
                           "rows": [[r["remains"], f"{r['screening_log10_lr']:.2f}"]
                                    for r in ident["runner_ups"]],
                           "caption": "Runner-up remains (pairwise screening score)"})
    anc = data.get("ancestry")
    if anc:
        if family:
            lr_par += _ancestry_family(anc)
        else:
            anc_par, anc_table = _ancestry_technical(anc)
            lr_par += anc_par
            tables += anc_table
    sections.append({"heading": "Likelihood ratio", "paragraphs": lr_par, "tables": tables})
    if not family:
        freq = model["frequencies"]
        prov = ident["provenance"] or {}
        tech = [["Frequency database", f"{freq['name']}"], ["Database SHA-256", freq["sha256"]],
                ["Mutation model", ", ".join(f"{k} {v}" for k, v in
                                             (model.get("mutation") or {}).items()) or "none"],
                ["Theta (co-ancestry)", str(model.get("theta"))],
                ["Drop-out", str(model.get("dropout") or "none")],
                ["Thresholds", ", ".join(f"{k}={v}" for k, v in
                                         (model.get("thresholds") or {}).items())],
                ["Rare-allele rule", model.get("rare_allele_rule") or "-"],
                ["Loci left out", ", ".join(model.get("loci_left_out") or []) or "none"],
                ["Software", f"{prov.get('software') or 'homecoming'} (identification run); "
                             f"homecoming {data['software']} (this report)"],
                ["Input hash", (prov.get("input_sha256") or "-") + " (SHA-256 of the profiles "
                               "and pedigree compared)"],
                ["Engine LR", fmt_lr(prov.get("engine_lr"))]]
        sections.append({"heading": "Model and provenance", "paragraphs": [],
                         "tables": [{"rows": tech}]})
        if data["genotypes"]:
            people = list(data["genotypes"])
            loci = sorted({k for g in data["genotypes"].values() for k in g})
            rows = [[locus] + ["/".join(str(a) for a in data["genotypes"][p].get(locus, [])
                                        if a is not None) or "-" for p in people]
                    for locus in loci]
            sections.append({"heading": "Genotypes", "paragraphs": [],
                             "tables": [{"header": ["Locus", *people], "rows": rows}]})
    sections.append({"heading": "Review and sign-off", "paragraphs": [],
                     "tables": [{"header": ["Step", "By", "Date", "Note"],
                                 "rows": _reviewers(ident)}]})
    return {"head": head, "sections": sections, "synthetic": bool(data["synthetic"]),
            "generated": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}


# --- PDF -------------------------------------------------------------------------------------

def render_pdf(data: Mapping[str, Any], path: str | Path) -> Path:
    """Write the report as a PDF (reportlab); returns the path."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from homecoming.reports.pedigree_figure import pedigree_figure

    rep = report_sections(data)
    path = Path(path)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)

    def esc(text: Any) -> str:
        return html.escape(str(text))

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        width, height = A4
        if rep["synthetic"]:
            canvas.setFillColor(colors.HexColor("#b00000"))
            canvas.setFont("Helvetica-Bold", 10)
            canvas.drawCentredString(width / 2, height - 12 * mm, SYNTHETIC_BANNER)
        canvas.setFillColor(colors.grey)
        canvas.setFont("Helvetica", 7)
        canvas.drawString(15 * mm, 10 * mm, f"{rep['head']['subtitle']}  -  generated "
                                            f"{rep['generated']}")
        canvas.drawRightString(width - 15 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(str(path), pagesize=A4, topMargin=20 * mm, bottomMargin=18 * mm,
                            leftMargin=15 * mm, rightMargin=15 * mm,
                            title=rep["head"]["title"], author="Homecoming")
    story: list[Any] = [Paragraph(esc(rep["head"]["title"]), styles["Title"]),
                        Paragraph(esc(rep["head"]["subtitle"]), styles["Heading3"])]
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                       ("FONTSIZE", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    for sec in rep["sections"]:
        story.append(Paragraph(esc(sec["heading"]), styles["Heading2"]))
        for par in sec["paragraphs"]:
            story.append(Paragraph(esc(par), styles["BodyText"]))
        if sec.get("pedigree"):
            png = pedigree_figure(sec["pedigree"])
            import io

            from reportlab.lib.utils import ImageReader

            reader = ImageReader(io.BytesIO(png))
            w, h = reader.getSize()
            scale = min(170 * mm / w, 90 * mm / h)
            story.append(Image(io.BytesIO(png), width=w * scale, height=h * scale))
        for tab in sec["tables"]:
            if tab.get("caption"):
                story.append(Paragraph(esc(tab["caption"]), small))
            rows = ([tab["header"]] if tab.get("header") else []) + tab["rows"]
            cells = [[Paragraph(esc(c), small) for c in row] for row in rows]
            widths = ([45 * mm, 135 * mm] if len(rows[0]) == 2 and not tab.get("header")
                      else [w * mm for w in tab["widths_mm"]] if tab.get("widths_mm")
                      else None)
            t = Table(cells, repeatRows=1 if tab.get("header") else 0, hAlign="LEFT",
                      colWidths=widths)
            style = TableStyle(grid.getCommands())
            if tab.get("header"):
                style.add("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8"))
            t.setStyle(style)
            story.append(t)
            story.append(Spacer(1, 3 * mm))
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return path


# --- HTML ------------------------------------------------------------------------------------

def render_html(data: Mapping[str, Any], path: str | Path | None = None) -> str:
    """The report as one self-contained HTML page (pedigree as inline SVG); written to
    ``path`` when given."""
    from homecoming.reports.pedigree_figure import pedigree_figure

    rep = report_sections(data)
    e = html.escape
    banner = (f'<div class="synthetic">{e(SYNTHETIC_BANNER)}</div>' if rep["synthetic"]
              else "")
    body = [banner, f"<h1>{e(rep['head']['title'])}</h1>",
            f"<p class=\"sub\">{e(rep['head']['subtitle'])}</p>"]
    for sec in rep["sections"]:
        body.append(f"<h2>{e(sec['heading'])}</h2>")
        body += [f"<p>{e(p)}</p>" for p in sec["paragraphs"]]
        if sec.get("pedigree"):
            svg = pedigree_figure(sec["pedigree"], fmt="svg").decode("utf-8")
            svg = svg[svg.find("<svg"):]
            body.append(f'<figure class="pedigree">{svg}</figure>')
        for tab in sec["tables"]:
            if tab.get("caption"):
                body.append(f"<p class=\"caption\">{e(tab['caption'])}</p>")
            rows = []
            if tab.get("header"):
                rows.append("<tr>" + "".join(f"<th>{e(str(c))}</th>" for c in tab["header"])
                            + "</tr>")
            rows += ["<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>"
                     for r in tab["rows"]]
            body.append("<table>" + "".join(rows) + "</table>")
    body.append(f"<footer>{e(rep['head']['subtitle'])} - generated {e(rep['generated'])}"
                f"</footer>{banner}")
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{e(rep['head']['title'])}</title><style>"
            "body{font-family:sans-serif;max-width:52em;margin:1em auto;padding:0 1em}"
            "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #999;"
            "padding:2px 6px;font-size:90%;text-align:left}th{background:#eee}"
            ".synthetic{color:#b00;font-weight:bold;text-align:center;border:2px solid #b00;"
            "padding:4px;margin:4px 0}.pedigree svg{max-width:100%;height:auto}"
            "footer{color:#666;font-size:80%;margin-top:2em}"
            "@media print{.synthetic{position:running(banner)}}"
            "</style></head><body>" + "\n".join(body) + "</body></html>\n")
    if path is not None:
        Path(path).write_text(page, encoding="utf-8")
    return page
