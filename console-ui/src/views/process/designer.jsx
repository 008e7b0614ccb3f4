import { useEffect, useState } from 'preact/hooks';
import { ErrorNote } from '../../components.jsx';

/**
 * The Designer tab. bpmn-js is most of a megabyte: it is imported only when the tab is opened, so
 * Vite puts it (and its CSS and fonts) in a chunk of its own that the console's first load never fetches.
 */
export function DesignerTab(props) {
  const [view, setView] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let gone = false;
    import('../designer/designer-view.jsx').then(
      (module) => !gone && setView(() => module.DesignerView),
      (failed) => !gone && setError(new Error(`The designer did not load: ${failed.message}`)),
    );
    return () => {
      gone = true;
    };
  }, []);
  if (error) return <ErrorNote error={error} />;
  if (!view) return <p class="loading">Loading the designer…</p>;
  const View = view;
  return <View {...props} />;
}
