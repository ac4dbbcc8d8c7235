/**
 * The dashboards of `npm run abuse`, in a process of their own (real dashboards are other
 * machines; sharing the attackers' event loop would add the generator's own delays to their
 * latency). Arguments: url count pauseMs startAt(epoch ms) warmupMs phaseMs; the dashboards' API
 * tokens come as a JSON array in ABUSE_DASHBOARD_TOKENS (kept off the command line); prints the
 * two summaries as JSON.
 */
import { dashboardPhases } from './run.ts';

const [url, count, pauseMs, startAt, warmupMs, phaseMs] = process.argv.slice(2);
if (!url || !count || !pauseMs || !startAt || !warmupMs || !phaseMs) {
  throw new Error('usage: dashboards.ts url count pauseMs startAt warmupMs phaseMs');
}
const tokens = JSON.parse(process.env.ABUSE_DASHBOARD_TOKENS ?? '[]') as string[];
const result = await dashboardPhases(url, Number(count), Number(pauseMs), Number(startAt), Number(warmupMs), Number(phaseMs), tokens);
process.stdout.write(JSON.stringify(result));
