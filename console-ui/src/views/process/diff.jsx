import { diffLines, parseJson, pretty } from '../../json-tools.js';

/** The draft against a definition, line by line; a draft that does not parse is compared as typed. */
export function Diff({ base, draft, label = 'the base definition', rightLabel = 'the draft' }) {
  const parsed = parseJson(draft ?? '');
  const right = parsed.error ? draft : pretty(parsed.value);
  const lines = diffLines(pretty(base), right);
  const changed = lines.filter((line) => line.kind !== 'same').length;
  return (
    <>
      <p>
        {changed === 0
          ? `${rightLabel[0].toUpperCase()}${rightLabel.slice(1)} equals ${label}.`
          : `${changed} changed lines between ${label} (−) and ${rightLabel} (+).`}
      </p>
      <pre class="diff" tabIndex={0} aria-label={`Differences between ${label} and ${rightLabel}`}>
        {lines.map((line) => (
          <div class={`diff-${line.kind}`}>
            <span class="diff-sign" aria-hidden="true">
              {line.kind === 'added' ? '+' : line.kind === 'removed' ? '−' : ' '}
            </span>
            <span class="visually-hidden">{line.kind === 'added' ? 'added: ' : line.kind === 'removed' ? 'removed: ' : ''}</span>
            {line.text}
          </div>
        ))}
      </pre>
    </>
  );
}

/** After a base upgrade: what the base changed, and what the override changed, both from the base it was made from. */
export function ThreeWayDiff({ upgrade, draft }) {
  return (
    <>
      <h3>
        The base, v{upgrade.from} → v{upgrade.to}
      </h3>
      <Diff base={upgrade.oldBase} draft={JSON.stringify(upgrade.newBase)} label={`base v${upgrade.from}`} rightLabel={`base v${upgrade.to}`} />
      <h3>This override, from base v{upgrade.from}</h3>
      <Diff base={upgrade.oldBase} draft={draft} label={`base v${upgrade.from}`} />
    </>
  );
}
