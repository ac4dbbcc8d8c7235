/** The admission and intake rules on their own: per-client cap, heavy lane, who goes first, wait limit. */
import { describe, expect, it } from 'vitest';
import { Admission } from '../src/http/admission.ts';
import { Intake } from '../src/http/intake.ts';
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
    expect(await admission.acquire('open', 'a')).toBeTypeOf('function');
    expect(await admission.acquire('open', 'b')).toBeTypeOf('function');
    const started = Date.now();
    expect(await admission.acquire('open', 'c')).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('keeps slots for light operations however many heavy ones wait', async () => {
    const admission = new Admission(options);
    expect(await admission.acquire('heavy', 'h1')).toBeTypeOf('function');
    // The one heavy slot is taken: a second heavy operation waits and gives up...
    const second = admission.acquire('heavy', 'h2');
    // ...while a light one still gets the other slot at once.
    expect(await admission.acquire('open', 'dash')).toBeTypeOf('function');
    expect(await second).toBeUndefined();
  });

  it('keeps exports in a lane of their own, so a long download does not hold the heavy lane', async () => {
    const admission = new Admission({ ...options, slots: 3, heavySlots: 1, exportSlots: 1, acquireTimeoutMs: 200 });
    expect(await admission.acquire('export', 'analyst')).toBeTypeOf('function');
    // A second export waits for the one export slot and gives up...
    expect(await admission.acquire('export', 'another')).toBeUndefined();
    // ...while a costly query still gets the heavy slot, and a light one an open slot.
    expect(await admission.acquire('heavy', 'h1')).toBeTypeOf('function');
    expect(await admission.acquire('open', 'dash')).toBeTypeOf('function');
  });

  it('serves the client that asked least first when slots free up', async () => {
    const admission = new Admission({ ...options, slots: 1, heavySlots: 1, acquireTimeoutMs: 2000 });
    // "busy" has held the slot for a while; then it asks five more times, the dashboard once.
    const first = await admission.acquire('open', 'busy');
    await new Promise((r) => setTimeout(r, 300));
    first?.();
    const again = await admission.acquire('open', 'busy');
    const order: string[] = [];
    const waiters = [1, 2, 3, 4, 5].map(() =>
      admission.acquire('open', 'busy').then((free) => {
        order.push('busy');
        free?.();
      }),
    );
    const dashboard = admission.acquire('open', 'dash').then((free) => {
      order.push('dash');
      free?.();
    });
    again?.();
    await Promise.all([dashboard, ...waiters]);
    expect(order[0]).toBe('dash');
  });

  it('confines a client that keeps being refused to the heavy slots', async () => {
    const admission = new Admission({ ...options, slots: 3, heavySlots: 1 });
    for (let i = 0; i < 5; i += 1) admission.refused('prober');
    expect(await admission.acquire('open', 'prober')).toBeTypeOf('function');
    // Its second operation needs the one confined slot, which its first holds.
    expect(await admission.acquire('open', 'prober')).toBeUndefined();
    expect(await admission.acquire('open', 'dash')).toBeTypeOf('function');
  });
});

describe('intake', () => {
  it('starts the request of the client that used the server least lately, and gives up after the wait limit', async () => {
    const intake = new Intake({ concurrency: 1, waitMs: 2000 });
    // A script in a loop has kept the server busy for a while...
    const first = await intake.enter('script');
    await new Promise((r) => setTimeout(r, 300));
    first?.();
    const running = await intake.enter('script');
    const order: string[] = [];
    const scripted = [1, 2, 3].map(() => intake.enter('script').then((leave) => { order.push('script'); leave?.(); }));
    // ...so a dashboard arriving after its queued requests still starts before them.
    const dashboard = intake.enter('dashboard').then((leave) => { order.push('dashboard'); leave?.(); });
    expect(intake.waiting).toBe(4);
    running?.();
    await Promise.all([dashboard, ...scripted]);
    expect(order).toEqual(['dashboard', 'script', 'script', 'script']);

    const short = new Intake({ concurrency: 1, waitMs: 200 });
    const held = await short.enter('a');
    const started = Date.now();
    expect(await short.enter('b')).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    held?.();
    expect(await short.enter('b')).toBeTypeOf('function');
  });

  it('lets clients far above their share hold only the noisy places, so a dashboard finds one free at once', async () => {
    const intake = new Intake({ concurrency: 3, noisySlots: 1, waitMs: 300 });
    // Two probers, each in a loop for a few seconds: both are noisy now.
    await Promise.all(
      ['prober-a', 'prober-b'].map(async (prober) => {
        for (let i = 0; i < 6; i += 1) {
          const leave = await intake.enter(prober);
          await new Promise((r) => setTimeout(r, 500));
          leave?.();
        }
      }),
    );
    const held = await intake.enter('prober-a');
    expect(held).toBeTypeOf('function');
    // The one noisy place is taken: the other prober waits out the limit though two places are free...
    const started = Date.now();
    expect(await intake.enter('prober-b')).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // ...and a dashboard starts at once, and so does a second one.
    const dashboard = await intake.enter('dashboard');
    expect(dashboard).toBeTypeOf('function');
    expect(await intake.enter('dashboard-2')).toBeTypeOf('function');
    held?.();
    expect(await intake.enter('prober-b')).toBeTypeOf('function');
  }, 20_000);
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
