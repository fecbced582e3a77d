import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPage, emptyList, findRow, pagesToFetch, resetWithPage, upsertRow } from '../../dashboard/src/sessionList.js';
import { computeWindow, pagesFor } from '../../dashboard/src/vlist.js';

interface R {
  sessionId: string;
  startedAt?: string;
  state?: string;
}

const at = (i: number): string => new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
/** Server rows newest first: index 0 is the newest of `total`. */
const serverRows = (total: number, offset: number, limit: number): R[] =>
  Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, k) => {
    const n = total - 1 - (offset + k);
    return { sessionId: `s${n}`, startedAt: at(n), state: 'completed' };
  });

describe('dashboard windowed list', () => {
  it('renders only the rows in view, with spacers for the rest', () => {
    const w = computeWindow({ scrollTop: 3600, viewportHeight: 540, rowHeight: 36, total: 2000, overscan: 5 });
    assert.deepEqual(w, { start: 95, end: 120, padTop: 95 * 36, padBottom: (2000 - 120) * 36 });
    assert.equal(w.padTop + (w.end - w.start) * 36 + w.padBottom, 2000 * 36);
  });

  it('clamps at both ends and handles an empty list', () => {
    assert.deepEqual(computeWindow({ scrollTop: 0, viewportHeight: 360, rowHeight: 36, total: 3, overscan: 8 }), {
      start: 0,
      end: 3,
      padTop: 0,
      padBottom: 0,
    });
    const end = computeWindow({ scrollTop: 1e9, viewportHeight: 360, rowHeight: 36, total: 100, overscan: 2 });
    assert.equal(end.end, 100);
    assert.ok(end.start < 100 && end.start >= 97);
    assert.deepEqual(computeWindow({ scrollTop: 50, viewportHeight: 360, rowHeight: 36, total: 0 }), {
      start: 0,
      end: 0,
      padTop: 0,
      padBottom: 0,
    });
  });

  it('lists the pages that hold a range', () => {
    assert.deepEqual(pagesFor(0, 30, 200), [0]);
    assert.deepEqual(pagesFor(190, 210, 200), [0, 1]);
    assert.deepEqual(pagesFor(5, 5, 200), []);
  });
});

describe('dashboard sessions list', () => {
  it('fills pages into a sparse list and asks only for unloaded, unasked pages', () => {
    let list = resetWithPage<R>({ total: 2000, rows: serverRows(2000, 0, 200) });
    assert.equal(list.total, 2000);
    assert.equal(list.rows[0]?.sessionId, 's1999');
    const asked = new Map<number, number>([[0, 0]]);
    assert.deepEqual(pagesToFetch(list, 0, 40, 200, asked), []);
    assert.deepEqual(pagesToFetch(list, 1190, 1230, 200, asked), [5, 6]);
    asked.set(5, list.shift);
    assert.deepEqual(pagesToFetch(list, 1190, 1230, 200, asked), [6]);
    list = applyPage(list, 1000, { total: 2000, rows: serverRows(2000, 1000, 200) }, 0);
    assert.equal(list.rows[1000]?.sessionId, 's999');
    assert.equal(list.rows[500], undefined);
    assert.equal(list.rows.length <= 2000, true);
  });

  it('updates a known row in place and puts a new one on top', () => {
    let list = resetWithPage<R>({ total: 3, rows: serverRows(3, 0, 200) });
    list = upsertRow(list, { sessionId: 's1', startedAt: at(1), state: 'failed' });
    assert.deepEqual(
      list.rows.map((r) => r?.sessionId),
      ['s2', 's1', 's0'],
    );
    assert.equal(findRow(list, 's1')?.state, 'failed');
    assert.equal(list.total, 3);
    list = upsertRow(list, { sessionId: 's3', startedAt: at(3), state: 'running' });
    assert.deepEqual(
      list.rows.map((r) => r?.sessionId),
      ['s3', 's2', 's1', 's0'],
    );
    assert.equal(list.total, 4);
    assert.equal(list.shift, 1);
  });

  it('places a page requested before live inserts where it now belongs', () => {
    let list = resetWithPage<R>({ total: 400, rows: serverRows(400, 0, 200) });
    const shiftAtRequest = list.shift;
    // Two new sessions arrive while page 1 is in flight; the server answered it as of before them.
    list = upsertRow(list, { sessionId: 's400', startedAt: at(400) });
    list = upsertRow(list, { sessionId: 's401', startedAt: at(401) });
    list = applyPage(list, 200, { total: 400, rows: serverRows(400, 200, 200) }, shiftAtRequest);
    assert.equal(list.total, 402);
    const ids = list.rows.map((r) => r?.sessionId);
    assert.equal(ids.length, 402);
    assert.equal(ids.includes(undefined), false);
    assert.equal(new Set(ids).size, 402);
    assert.equal(ids[0], 's401');
    assert.equal(ids[401], 's0');
  });

  it('leaves an unknown older row to its page while the list has unloaded slots', () => {
    const list = resetWithPage<R>({ total: 1000, rows: serverRows(1000, 0, 200) });
    const same = upsertRow(list, { sessionId: 's10', startedAt: at(10), state: 'running' });
    assert.equal(same, list);
    const full = emptyList<R>();
    const added = upsertRow(full, { sessionId: 'x', startedAt: at(1) });
    assert.equal(added.total, 1);
  });

  it('does not duplicate a row that a page brings after it arrived live', () => {
    let list = emptyList<R>();
    list = upsertRow(list, { sessionId: 's2', startedAt: at(2), state: 'running' });
    list = applyPage(list, 0, { total: 3, rows: serverRows(3, 0, 200) }, 0);
    const ids = list.rows.filter((r) => r !== undefined).map((r) => r.sessionId);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.includes('s2'));
  });
});
