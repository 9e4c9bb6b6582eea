/**
 * A small SVG line chart (no chart library): one line per series over a shared time axis, gaps where
 * a value is null, optional vertical markers (flagged anomalies), the y range and the first and last
 * date as labels. Time runs left to right in every language (the SVG is dir="ltr").
 */
export interface ChartSeries {
  name: string;
  points: [number, number | null][];
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];
const W = 640;
const H = 200;
const PAD = { left: 48, right: 12, top: 12, bottom: 24 };

export function LineChart({
  series,
  markers = [],
  formatY,
  formatX,
  title,
}: {
  series: ChartSeries[];
  markers?: { x: number; label: string }[];
  formatY(n: number): string;
  formatX(ms: number): string;
  title: string;
}) {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.flatMap((p) => (p[1] === null ? [] : [p[1]])));
  if (xs.length === 0) return null;
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const y1 = Math.max(...ys, 0) || 1;
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - (y / y1) * (H - PAD.top - PAD.bottom);
  const path = (points: [number, number | null][]) => {
    let d = '';
    let pen = false;
    for (const [x, y] of points) {
      if (y === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
      pen = true;
    }
    return d;
  };
  return (
    <figure className="chart" dir="ltr">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} direction="ltr" width="100%" preserveAspectRatio="none" style={{ maxHeight: 220 }}>
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} stroke="#999" />
        <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={H - PAD.bottom} stroke="#999" />
        <text x={PAD.left - 4} y={PAD.top + 8} fontSize="10" textAnchor="end">
          {formatY(y1)}
        </text>
        <text x={PAD.left - 4} y={H - PAD.bottom} fontSize="10" textAnchor="end">
          {formatY(0)}
        </text>
        <text x={PAD.left} y={H - 6} fontSize="10">
          {formatX(x0)}
        </text>
        <text x={W - PAD.right} y={H - 6} fontSize="10" textAnchor="end">
          {formatX(x1)}
        </text>
        {markers.map((m) => (
          <line key={`${m.x}-${m.label}`} x1={sx(m.x)} x2={sx(m.x)} y1={PAD.top} y2={H - PAD.bottom} stroke="#dc2626" strokeDasharray="4 3" data-testid="chart-marker">
            <title>{m.label}</title>
          </line>
        ))}
        {series.map((s, i) => (
          <path key={s.name} d={path(s.points)} fill="none" stroke={COLORS[i % COLORS.length]} strokeWidth="1.5">
            <title>{s.name}</title>
          </path>
        ))}
      </svg>
      {series.length > 1 && (
        <figcaption className="legend">
          {series.map((s, i) => (
            <span key={s.name} style={{ color: COLORS[i % COLORS.length] }}>
              ■ <bdi>{s.name}</bdi>{' '}
            </span>
          ))}
        </figcaption>
      )}
    </figure>
  );
}
