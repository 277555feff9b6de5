/**
 * A hand-written SVG of the benchmark: throughput ratios to raw undici (concurrency 1 and 64) and outage
 * amplification (100 % and 30 % 503s).
 */
import type { OutageRow, ThroughputRow } from "./rows.js"

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

interface Bars {
  readonly title: string
  readonly labels: ReadonlyArray<string>
  /** one series per colour, one value per label */
  readonly series: ReadonlyArray<
    { readonly name: string; readonly colour: string; readonly values: ReadonlyArray<number> }
  >
  readonly max: number
  /** vertical reference lines */
  readonly marks: ReadonlyArray<{ readonly at: number; readonly label: string }>
  readonly unit: string
}

const labelWidth = 400
const plotWidth = 420
const barHeight = 9
const gap = 8

const panel = (bars: Bars, top: number): { svg: string; height: number } => {
  const parts: Array<string> = []
  const groupHeight = bars.series.length * barHeight + gap
  const height = 40 + bars.labels.length * groupHeight + 20
  const x = (v: number) => labelWidth + (Math.min(v, bars.max) / bars.max) * plotWidth
  parts.push(`<text x="10" y="${top + 18}" font-size="14" font-weight="bold">${escape(bars.title)}</text>`)
  bars.series.forEach((s, i) => {
    const lx = labelWidth + i * 150
    parts.push(`<rect x="${lx}" y="${top + 26}" width="10" height="10" fill="${s.colour}"/>`)
    parts.push(`<text x="${lx + 14}" y="${top + 35}" font-size="11">${escape(s.name)}</text>`)
  })
  const plotTop = top + 44
  bars.labels.forEach((label, i) => {
    const y = plotTop + i * groupHeight
    parts.push(
      `<text x="${labelWidth - 6}" y="${y + (bars.series.length * barHeight) / 2 + 4}" font-size="11" ` +
        `text-anchor="end">${escape(label)}</text>`
    )
    bars.series.forEach((s, j) => {
      const v = s.values[i]
      if (!Number.isFinite(v)) return
      const by = y + j * barHeight
      parts.push(
        `<rect x="${labelWidth}" y="${by}" width="${(x(v) - labelWidth).toFixed(1)}" height="${barHeight - 1}" ` +
          `fill="${s.colour}"/>`
      )
      parts.push(
        `<text x="${(x(v) + 4).toFixed(1)}" y="${by + barHeight - 1}" font-size="9">${v.toFixed(2)}${bars.unit}</text>`
      )
    })
  })
  const bottom = plotTop + bars.labels.length * groupHeight
  for (const mark of bars.marks) {
    const mx = x(mark.at).toFixed(1)
    parts.push(
      `<line x1="${mx}" y1="${plotTop - 4}" x2="${mx}" y2="${bottom}" stroke="#444" stroke-dasharray="3,3"/>`,
      `<text x="${mx}" y="${bottom + 12}" font-size="10" text-anchor="middle">${escape(mark.label)}</text>`
    )
  }
  return { svg: parts.join("\n"), height }
}

export const chart = (rows: ReadonlyArray<ThroughputRow>, outages: ReadonlyArray<OutageRow>): string => {
  const ratioMax = Math.max(1.2, ...rows.flatMap((r) => [r.byConcurrency[1].ratio, r.byConcurrency[64].ratio]))
  const a = panel({
    title: "Throughput on /ok, ratio to raw undici in the same round (median)",
    labels: rows.map((r) => r.label),
    series: [
      { name: "concurrency 1", colour: "#7aa6d6", values: rows.map((r) => r.byConcurrency[1].ratio) },
      { name: "concurrency 64", colour: "#1f4e89", values: rows.map((r) => r.byConcurrency[64].ratio) }
    ],
    max: ratioMax,
    marks: [{ at: 0.5, label: "0.5× target" }, { at: 1, label: "undici" }],
    unit: "×"
  }, 0)
  const b = panel({
    title: "Outage amplification: server requests per logical call (3 retries)",
    labels: outages.map((o) => o.label),
    series: [
      { name: "100 % 503s", colour: "#c0504d", values: outages.map((o) => o.byShare["100%"].amplification) },
      { name: "30 % 503s", colour: "#e8a33d", values: outages.map((o) => o.byShare["30%"].amplification) }
    ],
    max: 4.4,
    marks: [{ at: 1.25, label: "1.25× target" }, { at: 4, label: "no budget" }],
    unit: "×"
  }, a.height)
  const width = labelWidth + plotWidth + 70
  const height = a.height + b.height
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    a.svg,
    b.svg,
    "</svg>",
    ""
  ].join("\n")
}

/** One client's line of the fault curve: per share of 503s (0–100), success (0–1) and requests per call. */
export interface CurveLine {
  readonly label: string
  readonly points: ReadonlyArray<{ readonly share: number; readonly success: number; readonly perCall: number }>
}

const lineColours = ["#1f4e89", "#7aa6d6", "#c0504d", "#e8a33d", "#6a9f58", "#8064a2", "#4bacc6", "#777777"]

/** Two line charts over the share of 503s: success rate, and server requests per call. */
export const faultCurveChart = (lines: ReadonlyArray<CurveLine>): string => {
  const w = 420
  const h = 220
  const left = 60
  const top = 40
  const gapX = 90
  const legendTop = top + h + 40
  const width = left + 2 * w + gapX + 30
  const height = legendTop + lines.length * 16 + 20
  const parts: Array<string> = []
  const plot = (x0: number, title: string, max: number, ticks: ReadonlyArray<number>, value: (p: any) => number) => {
    const sx = (share: number) => x0 + share * w
    const sy = (v: number) => top + h - (Math.min(v, max) / max) * h
    parts.push(`<text x="${x0}" y="${top - 14}" font-size="14" font-weight="bold">${escape(title)}</text>`)
    parts.push(`<rect x="${x0}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`)
    for (const t of ticks) {
      parts.push(
        `<line x1="${x0}" y1="${sy(t)}" x2="${x0 + w}" y2="${sy(t)}" stroke="#ddd"/>`,
        `<text x="${x0 - 6}" y="${sy(t) + 4}" font-size="10" text-anchor="end">${t}</text>`
      )
    }
    for (const s of [0, 0.1, 0.3, 0.5, 0.7, 1]) {
      parts.push(
        `<text x="${sx(s)}" y="${top + h + 14}" font-size="10" text-anchor="middle">${Math.round(s * 100)} %</text>`
      )
    }
    parts.push(
      `<text x="${x0 + w / 2}" y="${top + h + 30}" font-size="11" text-anchor="middle">share of 503s</text>`
    )
    lines.forEach((line, i) => {
      const colour = lineColours[i % lineColours.length]
      const pts = line.points.filter((p) => Number.isFinite(value(p)))
      parts.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${
          pts.map((p) => `${sx(p.share).toFixed(1)},${sy(value(p)).toFixed(1)}`).join(" ")
        }"/>`
      )
      for (const p of pts) {
        parts.push(`<circle cx="${sx(p.share).toFixed(1)}" cy="${sy(value(p)).toFixed(1)}" r="2.5" fill="${colour}"/>`)
      }
    })
  }
  plot(left, "Calls that succeed (%)", 100, [0, 25, 50, 75, 99], (p) => p.success * 100)
  plot(left + w + gapX, "Server requests per call", 4, [0, 1, 1.45, 2, 3, 4], (p) => p.perCall)
  lines.forEach((line, i) => {
    const y = legendTop + i * 16
    parts.push(
      `<rect x="${left}" y="${y - 9}" width="18" height="4" fill="${lineColours[i % lineColours.length]}"/>`,
      `<text x="${left + 24}" y="${y - 3}" font-size="11">${escape(line.label)}</text>`
    )
  })
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...parts,
    "</svg>",
    ""
  ].join("\n")
}
