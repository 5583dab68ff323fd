import { describe, expect, it } from 'vitest';
import { parseRun, parseRunsPage, runState, type LobstrRunSummary } from '../../src/importer/runStates.js';

// As docs.lobstr.io shows them (list-runs, get-run).
const listed = {
  id: '381cfbb47e474782857ddc035298b6f3',
  status: 'done',
  is_done: true,
  total_results: 156,
  duration: 3.1849,
  credit_used: 3.1849,
  done_reason: 'tasks_done',
};
const detailed = {
  id: '0393be3ea6f74986906153df1c3f9894',
  object: 'run',
  created_at: '2025-02-04T10:26:50.847633',
  started_at: '2025-02-04T10:25:41.623683',
  ended_at: '2025-02-04T10:26:52.222239',
  duration: 50.1833,
  credit_used: 50.1833,
  origin: 'user',
  status: 'done',
  total_results: 40,
  total_unique_results: 40,
  export_done: true,
  export_time: '2025-02-04T10:26:53.780636',
  done_reason: 'tasks_done',
  done_reason_desc: null,
  squid: 'e445405ef4ab41208ef7d29b92a1a9dd',
  next_launch_at: null,
};

const run = (patch: Partial<LobstrRunSummary>): LobstrRunSummary => ({
  id: 'r',
  status: null,
  isDone: null,
  exportDone: null,
  endedAt: null,
  createdAt: null,
  doneReason: null,
  squid: null,
  ...patch,
});

describe("reading Lobstr's runs", () => {
  it('reads a run of the list, which says neither when it ended nor whether it is exported', () => {
    expect(parseRun(listed)).toEqual(run({ id: listed.id, status: 'done', isDone: true, doneReason: 'tasks_done' }));
  });

  it('reads GET /v1/runs/<hash>, its times in UTC (to the second)', () => {
    expect(parseRun(detailed)).toEqual(
      run({
        id: detailed.id,
        status: 'done',
        exportDone: true,
        endedAt: new Date('2025-02-04T10:26:52.000Z'),
        createdAt: new Date('2025-02-04T10:26:50.000Z'),
        doneReason: 'tasks_done',
        squid: 'e445405ef4ab41208ef7d29b92a1a9dd',
      }),
    );
  });

  it("reads the list's envelope, and a run without an id is no run", () => {
    const page = {
      total_results: 3,
      limit: 50,
      page: 1,
      total_pages: 1,
      data: [listed, { status: 'done' }, { ...listed, id: 'b', status: 'RUNNING', is_done: false }],
      next: null,
      previous: null,
    };
    const parsed = parseRunsPage(page);
    expect(parsed.totalPages).toBe(1);
    expect(parsed.runs.map((r) => [r.id, r.status])).toEqual([
      [listed.id, 'done'],
      ['b', 'running'],
    ]);
    expect(parseRunsPage({ page: 4, next: null, data: [] }).totalPages).toBe(4);
    expect(parseRunsPage('nonsense')).toEqual({ runs: [], totalPages: null });
  });

  it('imports done runs, waits for running, paused, uploading or unexported ones, and skips aborted and failed ones', () => {
    expect(runState(run({ status: 'done', isDone: true }))).toBe('finished');
    expect(runState(run({ status: 'done', isDone: true, exportDone: false }))).toBe('unfinished');
    for (const status of ['pending', 'running', 'uploading', 'paused'])
      expect(runState(run({ status, isDone: false }))).toBe('unfinished');
    for (const status of ['aborted', 'error']) expect(runState(run({ status, isDone: true }))).toBe('ended');
  });

  it('judges a status Lobstr adds later by is_done', () => {
    expect(runState(run({ status: 'archived', isDone: true }))).toBe('finished');
    expect(runState(run({ status: 'queued', isDone: false }))).toBe('unfinished');
    expect(runState(run({}))).toBe('unfinished');
  });
});
