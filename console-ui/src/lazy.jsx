import { useEffect, useState } from 'preact/hooks';
import { ErrorNote } from './components.jsx';

/**
 * A view whose module is imported only when it is shown: Vite puts it (and what only it imports,
 * such as bpmn-js, its CSS and fonts) in a chunk of its own that the console's first load never fetches.
 * `load` imports the module; `name` is its export; `what` names it in texts.
 */
export function LazyView({ load, name, what, ...props }) {
  const [view, setView] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let gone = false;
    load().then(
      (module) => !gone && setView(() => module[name]),
      (failed) => !gone && setError(new Error(`The ${what} did not load: ${failed.message}`)),
    );
    return () => {
      gone = true;
    };
  }, []);
  if (error) return <ErrorNote error={error} />;
  if (!view) return <p class="loading">Loading the {what}…</p>;
  const View = view;
  return <View {...props} />;
}
