/** The admission rules on their own: per-client cap, heavy lane, who goes first, wait limit. */
import { describe, expect, it } from 'vitest';
import { Admission } from '../src/http/admission.ts';
import { PenaltyBox } from '../src/http/penalty.ts';

const options = { slots: 2, perClient: 2, acquireTimeoutMs: 300, heavyCost: 100, heavySlots: 1 };

describe('admission', () => {
  it('caps each client', () => {
    const admission = new Admission(options);
    expect(admission.enterClient('a')).toBe(true);
    expect(admission.enterClient('a')).toBe(true);
    expect(admission.enterClient('a')).toBe(false);
    expect(admission.enterClient('b')).toBe(true);
    admission.leaveClient('a');
    expect(admission.enterClient('a')).toBe(true);
  });

  it('gives up after the acquire timeout when every slot is held', async () => {
    const admission = new Admission(options);
    expect(await admission.acquire(false, 'a')).toBe(true);
    expect(await admission.acquire(false, 'b')).toBe(true);
    const started = Date.now();
    expect(await admission.acquire(false, 'c')).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('keeps slots for light operations however many heavy ones wait', async () => {
    const admission = new Admission(options);
    expect(await admission.acquire(true, 'h1')).toBe(true);
    // The one heavy slot is taken: a second heavy operation waits and gives up...
    const second = admission.acquire(true, 'h2');
    // ...while a light one still gets the other slot at once.
    expect(await admission.acquire(false, 'dash')).toBe(true);
    expect(await second).toBe(false);
  });

  it('serves the client that asked least first when slots free up', async () => {
    const admission = new Admission({ ...options, slots: 1, acquireTimeoutMs: 2000 });
    expect(await admission.acquire(false, 'busy')).toBe(true);
    // "busy" has asked five more times lately; the dashboard has not asked at all.
    const order: string[] = [];
    const waiters = [1, 2, 3, 4, 5].map(() => admission.acquire(false, 'busy').then((ok) => ok && order.push('busy')));
    const dashboard = admission.acquire(false, 'dash').then((ok) => ok && order.push('dash'));
    admission.release();
    await dashboard;
    expect(order).toEqual(['dash']);
    for (let i = 0; i < 5; i += 1) admission.release();
    await Promise.all(waiters);
  });
});

describe('penalty box', () => {
  it('boxes a client after enough refusals in the window, for the penalty time', () => {
    const box = new PenaltyBox({ threshold: 3, windowMs: 1000, penaltyMs: 5000, tarpitMs: 0 });
    expect(box.refused('x', 0)).toBe(false);
    expect(box.refused('x', 100)).toBe(false);
    expect(box.remaining('x', 200)).toBe(0);
    expect(box.refused('x', 200)).toBe(true);
    expect(box.remaining('x', 1200)).toBe(4000);
    expect(box.remaining('x', 5300)).toBe(0);
    // Refusals spread wider than the window never add up.
    expect(box.refused('y', 0)).toBe(false);
    expect(box.refused('y', 1500)).toBe(false);
    expect(box.refused('y', 3000)).toBe(false);
    expect(box.remaining('y', 3000)).toBe(0);
  });
});
