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
