/** How a trigger and a step look on the canvas: a card with an input on top and one handle per output below. */
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { useI18n } from '../i18n';
import { outputsOf, type StepFlowNode, type TriggerFlowNode } from './model';
import { StepCountBadge } from './StepCounts';

function summary(node: StepFlowNode['data']['node']): string {
  switch (node.type) {
    case 'message':
      return `${String(node.channel ?? '')} · ${String(node.template || '—')}`;
    case 'delay':
      return String(node.duration ?? (node.weekdays ? (node.weekdays as string[]).join(',') : ''));
    case 'wait_for_event':
      return `${String(node.event || '—')} ≤ ${String(node.timeout ?? '')}`;
    default:
      return '';
  }
}

export function StepNode({ data, selected }: NodeProps<StepFlowNode>) {
  const { t } = useI18n();
  const outputs = outputsOf(data.node);
  const bad = data.problems.length > 0;
  return (
    <div
      className={`flow-node type-${data.node.type}${selected ? ' selected' : ''}${bad ? ' invalid' : ''}`}
      data-testid={`node-${data.node.id}`}
      aria-label={`${t(`node.${data.node.type}`)}: ${data.label || data.node.name || data.node.id}`}
    >
      <Handle type="target" position={Position.Top} />
      <div className="flow-node-type">{t(`node.${data.node.type}`)}</div>
      <div className="flow-node-id" title={data.node.id}>
        {data.label || data.node.name || data.node.id}
      </div>
      <div className="flow-node-summary">{summary(data.node)}</div>
      <StepCountBadge nodeId={data.node.id} />
      {bad && (
        <div className="flow-node-problem" title={data.problems.join('\n')} data-testid={`node-problem-${data.node.id}`}>
          ⚠ {data.problems.length}
        </div>
      )}
      {outputs.map((o, i) => (
        <Handle key={o} id={o} type="source" position={Position.Bottom} style={{ left: `${((i + 1) / (outputs.length + 1)) * 100}%` }} title={o} data-testid={`handle-${data.node.id}-${o}`}>
          {outputs.length > 1 && <span className="handle-label">{o}</span>}
        </Handle>
      ))}
    </div>
  );
}

export function TriggerNode({ data, selected }: NodeProps<TriggerFlowNode>) {
  const { t } = useI18n();
  const tr = data.trigger;
  return (
    <div className={`flow-node type-trigger${selected ? ' selected' : ''}${data.problems.length ? ' invalid' : ''}`} data-testid="node-trigger">
      <div className="flow-node-type">{t('node.trigger')}</div>
      <div className="flow-node-id">{tr.type === 'event' ? String(tr.event || '—') : tr.type === 'page_view' ? String(tr.url || '—') : tr.type}</div>
      <Handle id="next" type="source" position={Position.Bottom} data-testid="handle-trigger-next" />
    </div>
  );
}

export const nodeTypes = { step: StepNode, trigger: TriggerNode };
