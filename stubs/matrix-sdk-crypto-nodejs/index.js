"use strict";
// The real package loads a native library that is downloaded at install time. This bridge does
// not support end-to-end encryption, so every export is left out: any attempt to use one is a
// TypeError at the call site rather than a crash when the bridge is imported.
module.exports = { unavailable: true };
