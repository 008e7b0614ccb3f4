import { LazyView } from '../../lazy.jsx';

/** The Designer tab. bpmn-js is most of a megabyte: it is imported only when the tab is opened. */
export function DesignerTab(props) {
  return <LazyView load={() => import('../designer/designer-view.jsx')} name="DesignerView" what="designer" {...props} />;
}
