import { useState } from 'preact/hooks';
import { clearCounts, elementLabel, showCounts } from './modeler.js';

const HOUR_MS = 3_600_000;
export const PERIODS = [
  { value: '24h', label: '24 h', ms: 24 * HOUR_MS, words: 'the last 24 hours' },
  { value: '7d', label: '7 days', ms: 7 * 24 * HOUR_MS, words: 'the last 7 days' },
  { value: '30d', label: '30 days', ms: 30 * 24 * HOUR_MS, words: 'the last 30 days' },
];

/**
 * The operations view of the diagram: with "Show counts" on, each element's instances of the
 * period (GET …/element-counts) as badges on it, and the same in words for screen readers.
 * `apply` draws them again after the diagram was read again (a save, an import).
 */
export function useCounts(modeler, load, perform) {
  const [shown, setShown] = useState(false);
  const [period, setPeriod] = useState('7d');
  const [counts, setCounts] = useState(null);

  const fetchAndShow = (periodValue) =>
    perform(async () => {
      const { ms } = PERIODS.find((candidate) => candidate.value === periodValue);
      const answer = await load(new Date(Date.now() - ms).toISOString());
      setCounts({ ...answer, period: periodValue });
      showCounts(modeler.current, answer.elements);
    });

  return {
    shown,
    period,
    counts: shown ? counts : null,
    toggle(on) {
      setShown(on);
      if (on) fetchAndShow(period);
      else clearCounts(modeler.current);
    },
    choose(periodValue) {
      setPeriod(periodValue);
      if (shown) fetchAndShow(periodValue);
    },
    apply() {
      if (shown && counts) showCounts(modeler.current, counts.elements);
    },
  };
}

export function CountsControls({ view }) {
  return (
    <div class="designer-counts">
      <label class="inline">
        <input type="checkbox" checked={view.shown} onChange={(event) => view.toggle(event.currentTarget.checked)} /> Show counts
      </label>
      <label for="designer-counts-period">Period</label>
      <select id="designer-counts-period" value={view.period} onChange={(event) => view.choose(event.currentTarget.value)}>
        {PERIODS.map((period) => (
          <option value={period.value}>{period.label}</option>
        ))}
      </select>
    </div>
  );
}

/** The counts in words: "12 instances in the last 7 days; 2 wait at order; 1 failed at lead." */
export function countsSummary(counts, labelOf) {
  const period = PERIODS.find((candidate) => candidate.value === counts.period)?.words ?? 'the period';
  const parts = [`${counts.instances} ${counts.instances === 1 ? 'instance' : 'instances'} in ${period}${counts.complete ? '' : ' (the newest counted)'}`];
  for (const [id, count] of Object.entries(counts.elements)) {
    if (count.waiting) parts.push(`${count.waiting} ${count.waiting === 1 ? 'waits' : 'wait'} at ${labelOf(id)}`);
  }
  for (const [id, count] of Object.entries(counts.elements)) {
    if (count.failed) parts.push(`${count.failed} failed at ${labelOf(id)}`);
  }
  return `${parts.join('; ')}.`;
}

export function CountsSummary({ view, modeler }) {
  if (!view.counts) return null;
  return (
    <p class="designer-counts-summary" role="status" data-testid="counts-summary">
      {countsSummary(view.counts, (id) => elementLabel(modeler.current, id))}
      <span class="designer-counts-legend" aria-hidden="true">
        <span class="hf-count hf-count-waiting">waiting</span> <span class="hf-count hf-count-failed">failed</span>{' '}
        <span class="hf-count hf-count-completed">completed</span>
      </span>
    </p>
  );
}
