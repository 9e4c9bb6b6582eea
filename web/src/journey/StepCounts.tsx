/**
 * Per-step counts drawn on the journey canvas as read-only badges: how many runs reached each step,
 * from the journey's funnel (GET /api/journeys/:id/funnel, the figures of the analytics screen).
 * A context, so the canvas's node components read them without new props through React Flow.
 */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { get } from '../api';
import { useI18n } from '../i18n';

const Counts = createContext<ReadonlyMap<string, number>>(new Map());

export function StepCountsProvider({ journeyId, children }: { journeyId: string | null; children: ReactNode }) {
  const [counts, setCounts] = useState<ReadonlyMap<string, number>>(new Map());
  useEffect(() => {
    setCounts(new Map());
    if (!journeyId) return;
    get<{ nodes: { node: string; reached: number }[] }>(`/api/journeys/${encodeURIComponent(journeyId)}/funnel`).then(
      (r) => setCounts(new Map(r.nodes.map((n) => [n.node, n.reached]))),
      () => {},
    );
  }, [journeyId]);
  return <Counts.Provider value={counts}>{children}</Counts.Provider>;
}

/** The badge of one step; nothing before the figures came or for a step no run reached yet. */
export function StepCountBadge({ nodeId }: { nodeId: string }) {
  const { t, num } = useI18n();
  const n = useContext(Counts).get(nodeId);
  if (n === undefined) return null;
  return (
    <div className="flow-node-count" data-testid={`node-count-${nodeId}`}>
      {t('canvas.reached', { n: num(n) })}
    </div>
  );
}
