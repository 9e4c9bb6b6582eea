import { describe, expect, it } from 'vitest';
import { formatIssue, parseSource } from './source.js';

const YAML = `id: demo
name: Demo
nodes:
  - id: a
    type: delay
  - id: b
    type: wait_for_event
    event: clicked
edges: []
`;

describe('journey source positions', () => {
  it('maps a field path to the line and column of its value', () => {
    const s = parseSource('demo.yaml', YAML);
    expect(s.positionOf('nodes.1.event')).toEqual({ line: 8, col: 12 });
    expect(s.positionOf('nodes.0')).toEqual({ line: 4, col: 5 });
    expect(s.positionOf('name')).toEqual({ line: 2, col: 7 });
  });

  it('shows a missing field at its nearest existing parent', () => {
    const s = parseSource('demo.yaml', YAML);
    expect(formatIssue(s, { path: 'nodes.1.timeout', message: 'nodes[1] (id "b"): required' })).toBe('demo.yaml:6:5: nodes[1] (id "b"): required');
    expect(s.positionOf('trigger')).toEqual({ line: 1, col: 1 });
  });

  it('reads JSON with positions and reports syntax errors with their line', () => {
    const json = parseSource('demo.json', '{\n  "id": "demo",\n  "nodes": [\n    {"id": "a"}\n  ]\n}\n');
    expect(json.raw).toEqual({ id: 'demo', nodes: [{ id: 'a' }] });
    expect(json.positionOf('nodes.0.id')).toEqual({ line: 4, col: 12 });
    const broken = parseSource('bad.yaml', 'id: demo\nnodes:\n  - id: a\n   type: [unclosed\n');
    expect(broken.raw).toBeUndefined();
    expect(broken.syntaxErrors.length).toBeGreaterThan(0);
    expect(broken.syntaxErrors[0]!.line).toBeGreaterThanOrEqual(3);
    const dup = parseSource('dup.yaml', 'id: a\nid: b\n');
    expect(dup.syntaxErrors[0]).toMatchObject({ line: 2, col: 1 });
  });
});
