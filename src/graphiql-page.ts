/**
 * The GraphiQL page: the one @graphql-yoga/render-graphiql renders (served from the package, so it
 * works offline), with two fixes to its tabs.
 *
 * GraphiQL's tabs can be dragged to reorder them (motion's Reorder). When the tab bar changes
 * size (tabs opened at load, fonts arriving, a resized window) motion moves each tab's drag offset
 * to keep it at the same fraction of the bar, and leaves it there; GraphiQL's stylesheet hides
 * that offset only while a tab is not focused. Pressing the mouse on such a tab focuses it, the
 * offset applies, the tab jumps away from under the pointer, and the release lands elsewhere: the
 * click never happens (two of the four example tabs could not be opened by mouse). The style below
 * keeps offsets hidden until the pointer has really moved with the button held, so a click selects
 * and a drag still moves the tab.
 *
 * GraphiQL re-reads the query's operations 100 ms after the query editor changes (a debounce), and
 * its run button sends the operation name it read last. Opening a tab puts the tab's query in the
 * editor at once, but until that debounce has run the run button still holds the previous tab's
 * operation name: a run in that window asks for an operation the new query does not have, GraphiQL
 * shows "Cannot infer operation <the previous tab's>" and sends nothing. A click on the run button
 * in that window is therefore held until GraphiQL has read the new query (Yoga's GraphiQL writes the
 * query into the address bar in the same callback, through history.replaceState), then delivered.
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
  (function () {
    var reading = null;
    var held = null;
    function done() {
      clearTimeout(reading);
      reading = null;
      var button = held;
      held = null;
      // After the debounce's callback has finished (it sets the operation name after the address).
      if (button) setTimeout(function () { button.click(); }, 0);
    }
    addEventListener('click', function (event) {
      var target = event.target instanceof Element ? event.target : null;
      if (target && target.closest('.graphiql-tabs')) {
        // A tab opened, closed or added: the editor's query is changing. GraphiQL reads it within
        // 0.1 s on a fast machine, about 1 s on a slow one; a run is never held beyond 3 s.
        clearTimeout(reading);
        reading = setTimeout(done, 3000);
      } else if (reading && target && target.closest('.graphiql-execute-button')) {
        event.stopImmediatePropagation();
        event.preventDefault();
        held = target.closest('.graphiql-execute-button');
      }
    }, true);
    var replaceState = history.replaceState;
    history.replaceState = function () {
      var result = replaceState.apply(this, arguments);
      if (reading) done();
      return result;
    };
  })();
</script>
`;

export function renderGraphiQLPage(options?: GraphiQLOptions): string {
  return renderGraphiQL(options).replace('</head>', `${TAB_FIX}</head>`);
}
