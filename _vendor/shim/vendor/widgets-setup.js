/* Set up the Jupyter widget manager for the book's offline pages. Loaded before RequireJS and
 * @jupyter-widgets/html-manager (see nb_ipywidgets_js in _config.yml); lives in vendor/ beside them.
 *
 * 1. Where the manager finds its own files. embed-amd.js takes its webpack public path (for the
 *    Font Awesome fonts of widget icons) from the RequireJS URL of the module
 *    "@jupyter-widgets/html-manager/dist/libembed-amd", which by default resolves relative to the
 *    page (chapters/@jupyter-widgets/html-manager/dist/...: 404). A RequireJS `paths` entry, set
 *    through the global `require` object RequireJS reads when it loads, points it at vendor/.
 *
 * 2. MathJax 3. The manager (controls 5) typesets widget labels with the MathJax 2 API,
 *    `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`, whenever `window.MathJax` exists. The
 *    book loads MathJax 3, which has no `Hub`, so every labelled widget threw "Cannot read
 *    properties of undefined (reading 'Queue')". Give MathJax 3 a minimal `Hub` that forwards
 *    "Typeset" to `MathJax.typesetPromise`.
 */
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  if (here && typeof window.require === "undefined") {
    var vendor = here.replace(/[?#].*$/, "").replace(/[^/]*$/, "");
    window.require = {paths: {"@jupyter-widgets/html-manager/dist": vendor + "html-manager"}};
  }

  function typeset(element) {
    var mj = window.MathJax;
    if (!mj || !mj.startup || !mj.startup.promise) return;   // MathJax not (yet) loaded
    mj.startup.promise
      .then(function () { return mj.typesetPromise ? mj.typesetPromise([element]) : null; })
      .catch(function (err) { console.warn("MathJax could not typeset a widget label", err); });
  }
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset" && job[2]) typeset(job[2]);
      }
    }
  };
  function install() {
    // On MathJax 3, and on its configuration object before (or if) MathJax fails to load;
    // a real MathJax 2 keeps its own Hub.
    var mj = window.MathJax;
    if (mj && !mj.Hub) mj.Hub = hub;
  }
  install();
  // MathJax 3 is a deferred script: it replaces window.MathJax (keeping this configuration object
  // as MathJax.config, where the extra Hub entry is ignored) after this script has run.
  document.addEventListener("DOMContentLoaded", install);
  window.addEventListener("load", install);
})();
