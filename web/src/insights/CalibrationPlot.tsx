/**
 * A model's calibration on its held-out period as an SVG (no chart library): mean predicted
 * probability (x) against the observed rate (y) per bin, dots sized by how many contacts the bin
 * holds, and the diagonal a perfectly calibrated model would follow.
 */
import type { CalibrationBin } from './types';

const S = 200;
const PAD = 28;

export function CalibrationPlot({ bins, title, axisX, axisY }: { bins: CalibrationBin[]; title: string; axisX: string; axisY: string }) {
  const max = Math.max(1, ...bins.map((b) => b.count));
  const px = (v: number) => PAD + v * (S - 2 * PAD);
  const py = (v: number) => S - PAD - v * (S - 2 * PAD);
  return (
    <svg viewBox={`0 0 ${S} ${S}`} width={S} height={S} role="img" aria-label={title} direction="ltr" className="calibration">
      <rect x={PAD} y={PAD} width={S - 2 * PAD} height={S - 2 * PAD} fill="none" stroke="#999" />
      <line x1={px(0)} y1={py(0)} x2={px(1)} y2={py(1)} stroke="#bbb" strokeDasharray="3 3" />
      {bins.map((b) =>
        b.meanPredicted === null || b.observedRate === null ? null : (
          <circle key={b.low} cx={px(b.meanPredicted)} cy={py(b.observedRate)} r={2 + 5 * Math.sqrt(b.count / max)} fill="#2563eb" fillOpacity="0.7">
            <title>{`${(b.low * 100).toFixed(0)}–${(b.high * 100).toFixed(0)}%: ${b.count}, predicted ${(b.meanPredicted * 100).toFixed(1)}%, observed ${(b.observedRate * 100).toFixed(1)}%`}</title>
          </circle>
        ),
      )}
      <text x={S / 2} y={S - 6} fontSize="10" textAnchor="middle">
        {axisX}
      </text>
      <text x={10} y={S / 2} fontSize="10" textAnchor="middle" transform={`rotate(-90 10 ${S / 2})`}>
        {axisY}
      </text>
    </svg>
  );
}

/** The held-out score distribution: how many contacts fall in each probability bin. */
export function ScoreHistogram({ bins, title }: { bins: CalibrationBin[]; title: string }) {
  const W = 200;
  const H = 100;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const w = (W - 8) / Math.max(1, bins.length);
  return (
    <svg viewBox={`0 0 ${W} ${H + 14}`} width={W} height={H + 14} role="img" aria-label={title} direction="ltr" className="histogram">
      {bins.map((b, i) => {
        const h = (b.count / max) * H;
        return (
          <rect key={b.low} x={4 + i * w} y={H - h} width={w - 2} height={h} fill="#16a34a">
            <title>{`${(b.low * 100).toFixed(0)}–${(b.high * 100).toFixed(0)}%: ${b.count}`}</title>
          </rect>
        );
      })}
      <text x={4} y={H + 12} fontSize="9">
        0
      </text>
      <text x={W - 4} y={H + 12} fontSize="9" textAnchor="end">
        1
      </text>
    </svg>
  );
}
