/**
 * The journey builder: a React Flow canvas (drag steps from the palette, connect outputs to
 * inputs), the side panel, the journey settings panel (entry, goal, exits, delivery limits), live
 * validation by the server, save as draft, publish / pause / resume, versions, and the YAML round
 * trip with `qatra journeys apply`.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { addEdge, Background, Controls, ReactFlow, ReactFlowProvider, useEdgesState, useNodesState, useReactFlow, type Connection, type Edge } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { parse, stringify } from 'yaml';
import { ApiError, get, post, put, canEdit, type Issue, type Role } from '../api';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { nodeTypes } from './FlowNodes';
import { StepCountsProvider } from './StepCounts';
import { JourneySettings, type Extra } from './JourneySettings';
import { SidePanel } from './SidePanel';
import { TripNotice } from '../deliverability/TripNotice';
import { autoName, problemText, slugFor, stepLabel } from './names';
import {
  flowEdge,
  newStep,
  nodeOfIssue,
  outputsOf,
  remapOutputs,
  savedPositions,
  savePositions,
  SETTINGS_PATH,
  splitTotals,
  STEP_TYPES,
  toDocument,
  toFlow,
  TRIGGER_ID,
  uniqueId,
  type AnyFlowNode,
  type JourneyDoc,
  type StepFlowNode,
  type StepType,
} from './model';

interface Detail {
  id: string;
  name: string;
  status: string;
  version: number;
  document: JourneyDoc;
  versions: { version: number; createdAt: number }[];
}

const EMPTY: JourneyDoc = { id: '', name: '', trigger: { type: 'event', event: 'signed_up' }, start: '', nodes: [], edges: [] };

/** The parts of a document the canvas does not edit, kept as they are (entry, goal, settings, …). */
function extraOf(doc: JourneyDoc): Partial<JourneyDoc> {
  const { id: _i, name: _n, status: _s, trigger: _t, start: _st, nodes: _no, edges: _e, ...rest } = doc;
  return rest;
}

export function JourneyEditor(props: { id: string | null; role: Role }) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  );
}

function Editor({ id, role }: { id: string | null; role: Role }) {
  const { t, date } = useI18n();
  const readOnly = !canEdit(role);
  const flow = useReactFlow();
  const [nodes, setNodes, onNodesChange] = useNodesState<AnyFlowNode>([]);
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>([]);
  const [meta, setMeta] = useState({ id: id ?? '', name: '', extra: {} as Partial<JourneyDoc> });
  const [detail, setDetail] = useState<Detail | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [errors, setErrors] = useState<Issue[]>([]);
  const [warnings, setWarnings] = useState<Issue[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [templates, setTemplates] = useState<string[]>([]);
  /** Each template's channel: a message step lists only its channel's templates. */
  const [templateChannels, setTemplateChannels] = useState<Record<string, string>>({});
  /** Template id → its name: steps and pickers show names. */
  const [templateNames, setTemplateNames] = useState<Record<string, string>>({});
  /** Ids of the workspace's journeys: a new journey's id is made from its name and must be new. */
  const [takenIds, setTakenIds] = useState<Set<string>>(new Set());
  /** Whether the id was typed under "Advanced" (then the name no longer changes it). */
  const [idTyped, setIdTyped] = useState(false);
  const [yaml, setYaml] = useState<string | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);

  const load = useCallback(
    (doc: JourneyDoc, positions = savedPositions(doc.id)) => {
      const f = toFlow(doc, positions);
      setNodes(f.nodes);
      setEdges(f.edges);
      setMeta({ id: doc.id, name: doc.name, extra: extraOf(doc) });
    },
    [setNodes, setEdges],
  );

  const refresh = useCallback(async (journeyId: string) => {
    const d = await get<Detail>(`/api/journeys/${encodeURIComponent(journeyId)}`);
    setDetail(d);
    return d;
  }, []);

  useEffect(() => {
    get<{ data: { id: string; name?: string; kind: string; channel: string; archived: boolean }[] }>('/api/templates').then(
      (r) => {
        const usable = r.data.filter((x) => !x.archived && (x.kind === 'marketing' || x.kind === 'transactional'));
        setTemplates(usable.map((x) => x.id));
        setTemplateChannels(Object.fromEntries(usable.map((x) => [x.id, x.channel])));
        setTemplateNames(Object.fromEntries(r.data.map((x) => [x.id, x.name || x.id])));
      },
      () => {},
    );
    if (!id)
      get<{ journeys: { id: string }[] }>('/api/journeys').then(
        (r) => setTakenIds(new Set(r.journeys.map((j) => j.id))),
        () => {},
      );
    if (id)
      refresh(id).then(
        (d) => load(d.document),
        (e) => setFailure(String((e as Error).message)),
      );
    else load(EMPTY, {});
  }, [id, load, refresh]);

  const doc = useMemo(() => toDocument(meta, nodes, edges), [meta, nodes, edges]);
  const docKey = JSON.stringify(doc);

  // Same validator as saving: ask the server, a moment after the last change.
  useEffect(() => {
    if (!doc.id && !doc.name && doc.nodes.length === 0) return;
    const timer = setTimeout(() => {
      post<{ valid: boolean; errors: Issue[]; warnings: Issue[] }>('/api/journeys/validate', { ...doc, id: doc.id || 'unsaved' }).then(
        (r) => {
          setErrors(r.errors);
          setWarnings(r.warnings);
        },
        (e) => e instanceof ApiError && setErrors(e.issues.length ? e.issues : [{ path: '', message: e.message }]),
      );
    }, 350);
    return () => clearTimeout(timer);
  }, [docKey]); // eslint-disable-line react-hooks/exhaustive-deps

  // Checks the canvas adds to the server's: split percentages must sum to 100 (the server only warns).
  const local = useMemo<Issue[]>(() => splitTotals(doc).map((s) => ({ path: s.path, message: t('split.mustSum', { total: Number.isFinite(s.total) ? s.total : '—' }) })), [docKey, t]); // eslint-disable-line react-hooks/exhaustive-deps
  const issues = useMemo(() => [...local, ...errors], [local, errors]);

  const problems = useMemo(() => {
    const by = new Map<string, string[]>();
    for (const i of issues) {
      const n = nodeOfIssue(i.path, i.message, doc);
      if (n) by.set(n, [...(by.get(n) ?? []), i.message]);
    }
    return by;
  }, [issues, doc]);
  const labelOf = useCallback(
    (nodeId: string) => {
      const n = nodes.find((x) => x.id === nodeId);
      return n?.type === 'step' ? stepLabel((n as StepFlowNode).data.node, templateNames, t) : null;
    },
    [nodes, templateNames, t],
  );
  const shown = useMemo(
    () =>
      nodes.map(
        (n) =>
          ({
            ...n,
            data: { ...n.data, problems: (problems.get(n.id) ?? []).map((m) => problemText(m, labelOf, t)), ...(n.type === 'step' ? { label: labelOf(n.id) } : {}) },
          }) as AnyFlowNode,
      ),
    [nodes, problems, labelOf, t],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (readOnly) return;
      // One edge per output: connecting an output again moves its edge.
      setEdges((es) =>
        addEdge(
          flowEdge(c.source, c.sourceHandle ?? 'next', c.target),
          es.filter((e) => !(e.source === c.source && (e.sourceHandle ?? 'next') === (c.sourceHandle ?? 'next'))),
        ),
      );
    },
    [readOnly, setEdges],
  );

  const addStep = (type: StepType, position?: { x: number; y: number }) => {
    const taken = new Set(nodes.map((n) => n.id));
    const nodeId = uniqueId(type.replace(/_/g, '-'), taken);
    const step = newStep(type, nodeId);
    step.name = autoName(step, templateNames, t);
    // Connect from the selected step's first free output, else from the last step (or the trigger).
    const used = new Set(edges.map((e) => `${e.source}:${e.sourceHandle ?? 'next'}`));
    const freeOutput = (n: AnyFlowNode | undefined) => {
      if (!n) return null;
      const outs = n.type === 'trigger' ? ['next'] : outputsOf((n as StepFlowNode).data.node);
      return outs.find((o) => !used.has(`${n.id}:${o}`)) ?? null;
    };
    const candidates = [nodes.find((n) => n.id === selected), ...[...nodes].reverse()];
    const from = candidates.find((n) => freeOutput(n) !== null);
    const anchor = from ?? nodes[nodes.length - 1];
    // Below the step it follows, moved sideways past any step already there (a branch's second exit).
    const pos = position ?? { x: anchor?.position.x ?? 0, y: (anchor?.position.y ?? 0) + 130 };
    while (!position && nodes.some((n) => Math.abs(n.position.x - pos.x) < 180 && Math.abs(n.position.y - pos.y) < 80)) pos.x += 200;
    setNodes((ns) => [...ns, { id: nodeId, type: 'step', position: pos, data: { node: step, problems: [] } }]);
    if (from && !position) setEdges((es) => [...es, flowEdge(from.id, freeOutput(from)!, nodeId)]);
    select(nodeId);
    // Keep the new step in sight: re-fit once React Flow has measured it.
    setTimeout(() => void flow.fitView({ maxZoom: 1, padding: 0.2, duration: 150 }), 50);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const type = e.dataTransfer.getData('application/qatra-step') as StepType;
    if (!type || readOnly) return;
    addStep(type, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  };

  const selectedNode = nodes.find((n) => n.id === selected);
  const updateStep = (given: StepFlowNode['data']['node']) => {
    let next = given;
    const before = selectedNode?.type === 'step' ? selectedNode.data.node : null;
    // A name still the one made from kind and template follows the template; a typed one stays.
    if (before && next.name === before.name && (!before.name || before.name === autoName(before, templateNames, t))) next = { ...next, name: autoName(next, templateNames, t) };
    setNodes((ns) => ns.map((n) => (n.id === selected ? ({ ...n, data: { ...n.data, node: next } } as AnyFlowNode) : n)));
    // Renamed branch or split outputs keep their edges; removed ones lose them.
    if (before) setEdges((es) => remapOutputs(before, next, es));
  };
  const select = (nodeId: string | null) => {
    setSelected(nodeId);
    if (nodeId) setSettingsOpen(false);
  };
  const openIssue = (i: Issue) => {
    if (SETTINGS_PATH.test(i.path)) {
      setSelected(null);
      setSettingsOpen(true);
    } else select(nodeOfIssue(i.path, i.message, doc));
  };
  const rename = (from: string, to: string) => {
    if (!to || nodes.some((n) => n.id === to)) return;
    setNodes((ns) => ns.map((n) => (n.id === from ? ({ ...n, id: to, data: { ...n.data, node: { ...(n as StepFlowNode).data.node, id: to } } } as AnyFlowNode) : n)));
    setEdges((es) => es.map((e) => (e.source === from || e.target === from ? flowEdge(e.source === from ? to : e.source, e.sourceHandle ?? 'next', e.target === from ? to : e.target) : e)));
    setSelected(to);
  };
  const removeSelected = () => {
    setNodes((ns) => ns.filter((n) => n.id !== selected));
    setEdges((es) => es.filter((e) => e.source !== selected && e.target !== selected));
    setSelected(null);
  };

  /** Saves the canvas as the journey's next version; publishing saves and goes live in the same request. */
  const save = async (publish = false): Promise<boolean> => {
    setNotice(null);
    setFailure(null);
    // Problems block publishing only: a draft saves in any state, and the server lists them back.
    if (publish && local.length) {
      setFailure(local.map((i) => i.message).join(' '));
      return false;
    }
    try {
      const r = await put<{ version: number; outcome: string; status: string; problems?: Issue[] }>(`/api/journeys/${encodeURIComponent(doc.id)}`, publish ? { ...doc, status: 'live' } : doc);
      savePositions(doc.id, nodes);
      if (r.problems) setErrors(r.problems);
      const open = (r.problems?.length ?? 0) + local.length;
      setNotice(
        publish ? t('journeys.published', { v: r.version }) : open ? t('journeys.savedProblems', { v: r.version, n: open }) : `${t('saved')} ${t('journeys.version')} ${r.version} (${r.outcome})`,
      );
      if (!id) navigate(`/journeys/${encodeURIComponent(doc.id)}`);
      else await refresh(doc.id);
      return true;
    } catch (e) {
      if (e instanceof ApiError) {
        setErrors(e.issues);
        setFailure(e.message);
      } else setFailure(String(e));
      return false;
    }
  };

  const setStatus = async (status: string) => {
    setFailure(null);
    try {
      await post(`/api/journeys/${encodeURIComponent(doc.id)}/status`, { status });
      const d = await refresh(doc.id);
      setNotice(status === 'live' ? t('journeys.published', { v: d.version }) : `${t('journeys.status')}: ${t(`status.${status}` as 'status.live')}`);
    } catch (e) {
      setFailure((e as Error).message);
    }
  };

  const fileInput = useRef<HTMLTextAreaElement>(null);
  const importYaml = () => {
    try {
      const parsed = parse(fileInput.current?.value ?? '') as JourneyDoc;
      load({ ...parsed, id: id ?? parsed.id }, {});
      setYaml(null);
      setFailure(null);
    } catch (e) {
      setFailure((e as Error).message);
    }
  };

  const status = detail?.status ?? 'draft';
  const selectedIndex = doc.nodes.findIndex((n) => n.id === selected);

  return (
    <div className="editor">
      <div className="toolbar" role="toolbar" aria-label={t('journeys.title')}>
        <label>
          {t('journeys.name')}{' '}
          <input
            value={meta.name}
            disabled={readOnly}
            data-testid="journey-name"
            onChange={(e) => setMeta({ ...meta, name: e.target.value, id: id || idTyped ? meta.id : slugFor(e.target.value, takenIds) })}
          />
        </label>
        {!id && (
          <details className="advanced">
            <summary>{t('journeys.advanced')}</summary>
            <label>
              {t('journeys.id')}{' '}
              <input
                value={meta.id}
                disabled={readOnly}
                dir="ltr"
                data-testid="journey-id"
                onChange={(e) => {
                  setIdTyped(true);
                  setMeta({ ...meta, id: e.target.value });
                }}
              />
            </label>
            <span className="muted small">{t('journeys.idHint')}</span>
          </details>
        )}
        {detail && (
          <span className={`badge status-${status}`} data-testid="journey-status">
            {t(`status.${status}` as 'status.live')} · v{detail.version}
          </span>
        )}
        <span className="spacer" />
        {!readOnly && (
          <button type="button" onClick={() => void save()}>
            {status === 'draft' ? t('saveDraft') : t('save')}
          </button>
        )}
        {!readOnly && (status === 'draft' || !detail) && (
          <button type="button" className="primary" onClick={() => void save(true)}>
            {t('publish')}
          </button>
        )}
        {!readOnly && status === 'live' && (
          <button type="button" onClick={() => void setStatus('paused')}>
            {t('pause')}
          </button>
        )}
        {!readOnly && status === 'paused' && (
          <button type="button" className="primary" onClick={() => void setStatus('live')}>
            {t('resume')}
          </button>
        )}
        <button
          type="button"
          aria-pressed={settingsOpen}
          onClick={() => {
            setSettingsOpen(!settingsOpen);
            if (!settingsOpen) setSelected(null);
          }}
        >
          {t('jset.title')}
        </button>
        {detail && (
          <button type="button" onClick={() => navigate(`/journeys/${encodeURIComponent(detail.id)}/simulate`)}>
            {t('journeys.simulate')}
          </button>
        )}
        <button type="button" onClick={() => setYaml(stringify(detail ? { ...doc, status } : doc))}>
          {t('journeys.exportYaml')}
        </button>
        {!readOnly && (
          <button type="button" onClick={() => setYaml('')}>
            {t('journeys.importYaml')}
          </button>
        )}
      </div>
      {detail && <TripNotice kind="journey" id={doc.id} status={status} />}
      {notice && (
        <p className="ok" role="status">
          {notice}
        </p>
      )}
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      {yaml !== null && (
        <div className="yaml">
          <label htmlFor="yaml-text">{t('journeys.yaml')}</label>
          <textarea id="yaml-text" ref={fileInput} className="code" rows={14} defaultValue={yaml} readOnly={yaml !== ''} />
          <div className="row">
            {yaml === '' ? (
              <button type="button" className="primary" onClick={importYaml}>
                {t('journeys.applyYaml')}
              </button>
            ) : (
              <a download={`${doc.id || 'journey'}.yaml`} href={URL.createObjectURL(new Blob([yaml], { type: 'application/yaml' }))}>
                {doc.id || 'journey'}.yaml
              </a>
            )}
            <button type="button" onClick={() => setYaml(null)}>
              {t('cancel')}
            </button>
          </div>
        </div>
      )}
      <div className={`builder${readOnly ? ' read-only' : ''}`}>
        {!readOnly && (
          <aside className="palette" aria-label={t('journeys.palette')}>
            <p className="muted small">{t('journeys.palette')}</p>
            {STEP_TYPES.map((type) => (
              <button
                key={type}
                type="button"
                draggable
                className={`palette-item type-${type}`}
                onDragStart={(e) => {
                  e.dataTransfer.setData('application/qatra-step', type);
                  e.dataTransfer.effectAllowed = 'move';
                }}
                onClick={() => addStep(type)}
              >
                {t(`node.${type}`)}
              </button>
            ))}
          </aside>
        )}
        {/* A graph reads top to bottom in every language, so the canvas itself is not mirrored. */}
        <div
          className="canvas"
          dir="ltr"
          aria-label={t('journeys.canvas')}
          onDragOver={(e) => {
            e.preventDefault();
            e.dataTransfer.dropEffect = 'move';
          }}
          onDrop={onDrop}
        >
          <StepCountsProvider journeyId={id}>
            <ReactFlow
              nodes={shown}
              edges={edges}
              nodeTypes={nodeTypes}
              onNodesChange={(changes) => {
                onNodesChange(changes);
                // Enter or Space on a focused step selects it (the keyboard's click): open its panel too.
                const picked = changes.find((c) => c.type === 'select' && c.selected);
                if (picked && picked.type === 'select') select(picked.id);
              }}
              onEdgesChange={readOnly ? undefined : onEdgesChange}
              onConnect={onConnect}
              onNodeClick={(_e, n) => select(n.id)}
              onPaneClick={() => setSelected(null)}
              nodesConnectable={!readOnly}
              nodesDraggable
              deleteKeyCode={readOnly ? null : ['Backspace', 'Delete']}
              onNodesDelete={() => setSelected(null)}
              fitView
              fitViewOptions={{ maxZoom: 1, padding: 0.2 }}
            >
              <Background />
              <Controls />
            </ReactFlow>
          </StepCountsProvider>
        </div>
        <div className="side">
          {settingsOpen ? (
            <JourneySettings extra={meta.extra as Extra} issues={issues} templates={templates} readOnly={readOnly} onChange={(extra) => setMeta((m) => ({ ...m, extra }))} />
          ) : (
            <SidePanel
              doc={doc}
              node={selectedNode?.type === 'step' ? selectedNode.data.node : null}
              trigger={selectedNode?.type === 'trigger' ? selectedNode.data.trigger : null}
              nodeIndex={selectedIndex}
              issues={issues}
              templates={templates}
              templateChannels={templateChannels}
              templateNames={templateNames}
              readOnly={readOnly}
              onNode={updateStep}
              onRename={rename}
              onTrigger={(tr) => setNodes((ns) => ns.map((n) => (n.id === TRIGGER_ID ? ({ ...n, data: { ...n.data, trigger: tr } } as AnyFlowNode) : n)))}
              onDelete={removeSelected}
              outputs={
                selectedNode?.type === 'step'
                  ? outputsOf(selectedNode.data.node).map((output) => ({ output, to: edges.find((e) => e.source === selectedNode.id && (e.sourceHandle ?? 'next') === output)?.target ?? '' }))
                  : []
              }
              onConnect={(output, to) => {
                if (!selected) return;
                // The keyboard way to connect: the same one-edge-per-output rule as dragging.
                setEdges((es) => [...es.filter((e) => !(e.source === selected && (e.sourceHandle ?? 'next') === output)), ...(to ? [flowEdge(selected, output, to)] : [])]);
              }}
            />
          )}
          <section className="panel" aria-labelledby="problems-title" data-testid="problems">
            <h2 id="problems-title">{issues.length === 1 ? t('journeys.problem') : issues.length ? t('journeys.problems', { n: issues.length }) : t('journeys.valid')}</h2>
            {issues.length > 0 && <p className="muted small">{t('journeys.blocksPublish')}</p>}
            <ul className="issues">
              {issues.map((i) => (
                <li key={i.path + i.message}>
                  <button type="button" className="link" onClick={() => openIssue(i)}>
                    {problemText(i.message, labelOf, t)}
                  </button>
                </li>
              ))}
              {warnings.map((i) => (
                <li key={'w' + i.path + i.message} className="muted">
                  ⚠ {i.message}
                </li>
              ))}
            </ul>
          </section>
          {detail && (
            <section className="panel" aria-labelledby="versions-title">
              <h2 id="versions-title">{t('journeys.versions')}</h2>
              <ul className="versions">
                {[...detail.versions].reverse().map((v) => (
                  <li key={v.version}>
                    <button
                      type="button"
                      className="link"
                      onClick={() => get<{ document: JourneyDoc }>(`/api/journeys/${encodeURIComponent(detail.id)}/versions/${v.version}`).then((r) => load(r.document))}
                    >
                      v{v.version}
                    </button>{' '}
                    <span className="muted">{date(v.createdAt)}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
      </div>
    </div>
  );
}
