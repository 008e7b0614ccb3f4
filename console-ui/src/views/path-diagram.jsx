import { LazyView } from '../lazy.jsx';

/** An instance's path on its process's diagram (views/designer/path-view.jsx), with bpmn-js loaded only when it is shown. */
export function PathDiagram(props) {
  return <LazyView load={() => import('./designer/path-view.jsx')} name="PathView" what="diagram" {...props} />;
}
