/**
 * The GraphiQL page: the one @graphql-yoga/render-graphiql renders (served from the package, so it
 * works offline), with one fix to its tabs.
 *
 * GraphiQL's tabs can be dragged to reorder them (motion's Reorder). When the tab bar changes
 * size (tabs opened at load, fonts arriving, a resized window) motion moves each tab's drag offset
 * to keep it at the same fraction of the bar, and leaves it there; GraphiQL's stylesheet hides
 * that offset only while a tab is not focused. Pressing the mouse on such a tab focuses it, the
 * offset applies, the tab jumps away from under the pointer, and the release lands elsewhere: the
 * click never happens (two of the four example tabs could not be opened by mouse). The style below
 * keeps offsets hidden until the pointer has really moved with the button held, so a click selects
 * and a drag still moves the tab.
 */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

const TAB_FIX = `
<style>
  html:not([data-tab-dragging]) .graphiql-tab { transform: none !important; }
</style>
<script>
  (function () {
    var start = null;
    function end() { start = null; delete document.documentElement.dataset.tabDragging; }
    addEventListener('pointerdown', function (event) {
      var tab = event.target instanceof Element && event.target.closest('.graphiql-tab');
      start = tab ? { x: event.clientX, y: event.clientY } : null;
    }, true);
    addEventListener('pointermove', function (event) {
      // motion starts a drag after 3 px; so does this.
      if (start && Math.hypot(event.clientX - start.x, event.clientY - start.y) >= 3) document.documentElement.dataset.tabDragging = '';
    }, true);
    addEventListener('pointerup', end, true);
    addEventListener('pointercancel', end, true);
  })();
</script>
`;

export function renderGraphiQLPage(options?: GraphiQLOptions): string {
  return renderGraphiQL(options).replace('</head>', `${TAB_FIX}</head>`);
}
