/**
 * The status pages' style sheet. Narrow screens (a phone, 390 px) get the same content in one column: the
 * page body never scrolls sideways, tables scroll in their own box and long names wrap.
 */
export const style = `
:root {
  color-scheme: light dark;
  --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --info: #0969da; --held: #8250df; --line: #d0d7de88;
}
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1.5rem; overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0; display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
h3 { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; margin: 0 0 .3rem; opacity: .7; }
p { margin: .2rem 0; }
a { color: var(--info); }
.meta { display: flex; flex-wrap: wrap; gap: .2rem 1rem; margin-top: .4rem; }
.badge { font-size: .85rem; padding: .15rem .6rem; border-radius: 1rem; color: #fff; font-weight: 600; }
.ok { background: var(--ok); } .warn { background: var(--warn); }
.bad { background: var(--bad); } .info { background: var(--info); }
.ok-text, .result-converged, .result-done, .result-adopted { color: var(--ok); }
.bad-text, .result-error, .result-failed, .result-abandoned { color: var(--bad); }
.result-pending, .result-refused, .result-interrupted, .result-unsettled { color: var(--warn); }
.reason { color: var(--bad); margin-top: .4rem; }
.muted { opacity: .65; font-size: .9em; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(230px, 100%), 1fr)); gap: .8rem; margin-top: 1.2rem; }
.card { border: 1px solid var(--line); border-radius: .5rem; padding: .7rem .9rem; }
.problem { border-left: 4px solid var(--bad); padding-left: .8rem; }
.issues { padding-left: 1rem; } .issues code { white-space: pre-wrap; }
.count { font-size: .8rem; border: 1px solid var(--line); border-radius: 1rem; padding: 0 .5rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: normal; }
th { font-size: .8rem; opacity: .7; }
.action { font-family: ui-monospace, monospace; }
button { font: inherit; padding: .15rem .7rem; border-radius: .4rem; border: 1px solid var(--line); cursor: pointer; }
button.approve { border-color: var(--ok); } button.reject { border-color: var(--bad); }
#tree ul { list-style: none; margin: 0; padding-left: 1.1rem; }
#tree > ul { padding-left: 0; }
#tree li { margin: .15rem 0; }
#tree .leaf { padding-left: 1.1rem; }
#tree summary { cursor: pointer; }
.org-name { font-weight: 600; }
.status { font-size: .8rem; opacity: .75; }
.status-blocked { color: var(--warn); opacity: 1; } .status-deactivated { color: var(--bad); opacity: 1; }
.status-planned { color: var(--info); opacity: 1; }
.tag { font-size: .75rem; border-radius: 1rem; padding: 0 .45rem; color: #fff; font-weight: 600; white-space: nowrap; }
.tag-pending { background: var(--info); } .tag-held { background: var(--held); }
.tag-drifted { background: var(--warn); } .tag-contested, .tag-conflict { background: var(--bad); }
.below { font-size: .75rem; opacity: .75; white-space: nowrap; }
.notes { font-size: .85em; opacity: .75; margin-left: 1.1rem; }
#admin { margin-top: 1rem; display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
#admin[hidden] { display: none; }
#admin input { font: inherit; min-width: 0; flex: 1 1 12rem; }
#admin-said:empty { display: none; }
footer { margin-top: 2rem; border-top: 1px solid var(--line); padding-top: .6rem; }
#offline { display: none; color: var(--bad); font-weight: 600; }
body.offline #offline { display: inline; }
@media (max-width: 600px) {
  body { padding: .8rem; }
  h1 { font-size: 1.25rem; }
}
`
