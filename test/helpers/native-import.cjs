// Node's own import(), from a file Node loads itself: vitest runs the sources through its own
// module runner, whose import() would load a user task without Node's loader and its hooks.
module.exports = (url) => import(url);
