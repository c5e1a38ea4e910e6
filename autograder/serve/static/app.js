// Live progress without reloading: poll the JSON API for each element marked data-poll.
"use strict";
function describe(s) {
  if (s.status === "queued") {
    return s.position === 0 ? "queued: next in line" : `queued: ${s.position} ahead of yours`;
  }
  if (s.status === "running") {
    const est = s.estimate_seconds ? ` (usually about ${Math.round(s.estimate_seconds)} s)` : "";
    return `grading: ${Math.round(s.seconds || 0)} s so far${est}`;
  }
  return `done: ${s.score} / ${s.max_score}`;
}
function follow(el) {
  const tick = async () => {
    try {
      const r = await fetch(el.dataset.poll, {credentials: "same-origin", headers: {accept: "application/json"}});
      if (!r.ok) return;
      const s = await r.json();
      el.textContent = describe(s);
      el.dataset.state = s.status;
      if (s.status === "done") { if (el.dataset.reload) location.reload(); return; }
    } catch (e) { /* the service restarts: try again */ }
    setTimeout(tick, 1000);
  };
  tick();
}
// The instructor's queue line; with data-live, the page reloads when more jobs are done.
function queue(el) {
  let seen = null;
  const tick = async () => {
    try {
      const r = await fetch(el.dataset.queue, {credentials: "same-origin", headers: {accept: "application/json"}});
      if (r.ok) {
        const q = (await r.json()).counts;
        el.textContent = `queue: ${q.queued} waiting, ${q.running} being graded, ${q.done} done`;
        if (el.dataset.live && seen !== null && q.done !== seen) { location.reload(); return; }
        seen = q.done;
      }
    } catch (e) { /* try again */ }
    setTimeout(tick, el.dataset.live ? 5000 : 2000);
  };
  tick();
}
// A table of submissions: one request for all of them, every 2 s, while any is pending.
function followList(table) {
  const cells = () => [...table.querySelectorAll("[data-id]")].filter((c) => c.dataset.state !== "done");
  const tick = async () => {
    try {
      const r = await fetch(table.dataset.list, {credentials: "same-origin", headers: {accept: "application/json"}});
      if (r.ok) {
        const byId = new Map((await r.json()).map((s) => [s.id, s]));
        let finished = false;
        for (const cell of cells()) {
          const s = byId.get(cell.dataset.id);
          if (!s) continue;
          cell.textContent = describe(s);
          if (s.status === "done") finished = true;
          cell.dataset.state = s.status;
        }
        if (finished) { location.reload(); return; }
      }
    } catch (e) { /* try again */ }
    if (cells().length) setTimeout(tick, 2000);
  };
  if (cells().length) tick();
}
document.querySelectorAll("[data-list]").forEach(followList);
document.querySelectorAll("[data-poll]").forEach((el) => { if (el.dataset.state !== "done") follow(el); });
document.querySelectorAll("[data-queue]").forEach(queue);
