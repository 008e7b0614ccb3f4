import { useEffect, useState } from 'preact/hooks';

/** A tiny router over the History API: the service answers every /console/… path with the app. */
const listeners = new Set();

export function navigate(path, { replace = false } = {}) {
  const url = path.startsWith('/console') ? path : `/console${path}`;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => {
  for (const listener of listeners) listener();
});

export function usePath() {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const update = () => setPath(currentPath());
    listeners.add(update);
    return () => listeners.delete(update);
  }, []);
  return path;
}

function currentPath() {
  return location.pathname.replace(/^\/console/, '') || '/';
}

/** A link that navigates inside the app, and opens normally with a modifier key. */
export function Link({ href, children, ...rest }) {
  const url = `/console${href}`;
  const onClick = (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={url} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
