import Mustache

/// The pages' Mustache templates, compiled into the binary (no files to install or lose).
/// Logic-less: they only read the view models (``HomePage``, ``BuildPage``, …); `{{x}}`
/// HTML-escapes, and only the layout's `{{{body}}}`, a step's log lines `{{{linesHTML}}}` (escaped by
/// ``AnsiToHTML``) and the worker page's `{{{svg}}}` (escaped by ``TimelineSVG``) are inserted raw.
enum WebTemplates {
    /// Every template by name; a template that does not parse is a bug caught by the tests.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in sources {
            do { try library.register(text, named: name) } catch { preconditionFailure("template \(name): \(error)") }
        }
        return library
    }()

    static let sources: [(String, String)] = [
        ("layout", layout), ("home", home), ("builder", builder), ("build", build), ("pending", pending),
        ("workers", workers), ("buildrows", buildRows), ("changes", changes), ("login", login),
        ("csrf", csrf), ("cancel", cancel), ("worker", worker), ("hosts", hosts),
        ("workeractions", workerActions), ("masters", masters),
    ]

    static let layout = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{heading}} · {{title}}</title>
    <link rel="stylesheet" href="/static/minibot.css">
    <script src="/static/minibot.js" defer></script>
    </head><body data-stream="{{stream}}">
    <header><a class="brand" href="/">{{title}}</a>
    <nav><a href="/">Home</a> <a href="/pending">Pending</a> <a href="/workers">Workers</a> <a href="/hosts">Hosts</a> <a href="/changes">Changes</a> <a href="/masters">Masters</a> <a href="/api/v2/">API</a></nav>
    <span id="live" class="live" hidden>live</span>
    <span class="who">{{#session}}<span id="user">{{user}}</span> <form class="inline" method="post" action="/logout">{{> csrf}}<button>Log out</button></form>{{/session}}{{^session}}<a id="login" href="{{loginLink}}">Log in</a>{{/session}}</span></header>
    <div id="banner" class="banner" hidden>Live updates disconnected; reconnecting… (reload the page to see the latest)</div>
    {{#notice}}<p id="notice" class="notice" role="status">{{notice}}</p>{{/notice}}
    <main>
    {{{body}}}
    </main></body></html>
    """

    static let buildRows = """
    <table class="builds"><thead><tr><th>build</th><th>result</th><th>worker</th><th>started</th><th>duration</th><th>state</th></tr></thead><tbody>
    {{#buildRows}}<tr><td><a href="{{builderLink}}">{{builder}}</a> <a href="{{link}}">#{{number}}</a></td>
    <td class="result {{look.css}}">{{look.icon}} {{look.word}}</td><td>{{worker}}</td><td>{{started}}</td><td>{{duration}}{{#progress}}<br><progress max="100" value="{{percent}}">{{percent}}%</progress> <span class="muted">{{eta}}</span>{{/progress}}</td><td>{{state}}</td></tr>
    {{/buildRows}}{{^buildRows}}<tr><td colspan="6" class="muted">no builds yet</td></tr>{{/buildRows}}
    </tbody></table>
    """

    static let home = """
    <p class="health" id="health">{{health}}</p>
    <h1>Builders</h1>
    <table class="builders"><thead><tr><th>builder</th><th>last results (newest first)</th><th>running</th><th>pending</th><th>last</th><th>typical</th></tr></thead><tbody>
    {{#builders}}<tr><td><a href="{{link}}">{{name}}</a></td>
    <td class="cells">{{#cells}}<a class="cell {{look.css}}" href="{{link}}" title="#{{number}} {{look.word}}">{{look.icon}} {{look.word}}</a>{{/cells}}{{^cells}}<span class="muted">no builds</span>{{/cells}}</td>
    <td>{{running}}</td><td>{{pending}}</td><td>{{lastDuration}}</td><td>{{typicalDuration}}</td></tr>
    {{/builders}}
    </tbody></table>
    <h2>Recent builds</h2>
    {{> buildrows}}
    """

    static let builder = """
    <h1>Builder {{name}}</h1>
    <p>{{description}}</p>
    <p>Workers: {{workers}}</p>
    {{#session}}<details class="force"><summary>Force a build</summary>
    <form method="post" action="{{forceAction}}" id="force">{{> csrf}}
    <label>branch <input name="branch" placeholder="main"></label> <label>revision <input name="revision" placeholder="a commit id"></label>
    <label>priority <input name="priority" inputmode="numeric" size="4" placeholder="0"></label>
    <label>reason <input name="reason" placeholder="forced by {{user}}"></label>
    <label class="wide">properties, one NAME=VALUE a line <textarea name="properties" rows="2"></textarea></label>
    <button>Force</button></form></details>{{/session}}
    {{^session}}<p class="muted"><a href="{{loginLink}}">Log in</a> to force a build.</p>{{/session}}
    <h2>Pending requests</h2>
    <table><thead><tr><th>request</th><th>submitted</th><th>why it waits</th><th></th></tr></thead><tbody>
    {{#pending}}<tr><td>{{id}}</td><td>{{submitted}}</td><td>{{#reasons}}<div>{{text}} <span class="muted">{{until}}</span></div>{{/reasons}}</td>
    <td>{{> cancel}}</td></tr>
    {{/pending}}{{^pending}}<tr><td colspan="4" class="muted">none</td></tr>{{/pending}}
    </tbody></table>
    <h2>Builds</h2>
    {{> buildrows}}
    <p class="paging">{{#newerLink}}<a href="{{newerLink}}">← newer</a>{{/newerLink}} {{#olderLink}}<a href="{{olderLink}}">older →</a>{{/olderLink}}</p>
    """

    static let build = """
    <h1><a href="{{builderLink}}">{{builder}}</a> #{{number}}
    <span id="build-result" class="result {{look.css}}">{{look.icon}} {{look.word}}</span></h1>
    <p id="build-state">{{state}}</p>
    {{#session}}<p class="actions">{{#isRunning}}<form class="inline" method="post" action="/actions/builds/{{id}}/stop">{{> csrf}}<input name="reason" placeholder="why (optional)"> <button id="stop">Stop</button></form>{{/isRunning}}
    {{^isRunning}}<form class="inline" method="post" action="/actions/builds/{{id}}/rebuild">{{> csrf}}<button id="rebuild">Rebuild</button></form>{{/isRunning}}</p>{{/session}}
    <table class="facts"><tbody>
    <tr><th>worker</th><td>{{worker}}</td></tr><tr><th>started</th><td>{{started}}</td></tr>
    <tr><th>duration</th><td>{{duration}}</td></tr><tr><th>reason</th><td>{{reason}}</td></tr>
    <tr><th>source</th><td>{{repository}} {{branch}} {{revision}}</td></tr>
    </tbody></table>
    <h2>Steps</h2>
    {{#steps}}<details id="{{anchor}}" class="step" data-step="{{number}}"{{#isOpen}} open{{/isOpen}}>
    <summary><span class="result {{look.css}}" data-role="result">{{look.icon}} {{look.word}}</span> <b>{{number}}. {{name}}</b>
    <span class="muted" data-role="state">{{state}}</span> <span class="muted">{{duration}}</span></summary>
    <p class="logmeta">{{#isCut}}Only the last {{shownLines}} of {{totalLines}} lines are shown. {{/isCut}}<a href="{{rawLink}}">raw log</a> · <a href="{{textLink}}">without colours</a></p>
    <pre class="log" data-next="{{totalLines}}">{{{linesHTML}}}</pre>
    </details>
    {{/steps}}
    <h2>Changes</h2>
    <table><tbody>{{#changes}}<tr><td><a href="/api/v2/changes/{{id}}">{{revision}}</a></td><td>{{author}}</td><td>{{branch}}</td><td>{{title}}</td><td>{{files}} files</td><td>{{when}}</td></tr>
    {{/changes}}{{^changes}}<tr><td class="muted">none (forced or scheduled)</td></tr>{{/changes}}</tbody></table>
    <h2>Properties</h2>
    <table class="facts"><tbody>{{#properties}}<tr><th>{{name}}</th><td>{{value}}</td></tr>{{/properties}}</tbody></table>
    """

    static let pending = """
    <h1>Pending build requests</h1>
    <table><thead><tr><th>request</th><th>builder</th><th>priority</th><th>submitted</th><th>waiting</th><th>expected start</th><th>why it waits</th><th></th></tr></thead><tbody>
    {{#rows}}<tr><td>{{id}}</td><td><a href="{{builderLink}}">{{builder}}</a> {{branch}}</td><td>{{priority}}</td><td>{{submitted}}</td><td>{{waited}}</td>
    <td>{{expected}}{{#expectedWhy}}<div class="muted">{{expectedWhy}}</div>{{/expectedWhy}}</td>
    <td>{{#byKind}}<div class="muted">by kind: {{byKind}}</div>{{/byKind}}{{#reasons}}<div>{{text}} <span class="muted">{{until}}</span></div>{{/reasons}}{{^reasons}}<span class="muted">being placed</span>{{/reasons}}</td>
    <td>{{> cancel}}</td></tr>
    {{/rows}}{{^rows}}<tr><td colspan="8" class="muted">nothing waits</td></tr>{{/rows}}
    </tbody></table>
    """

    static let workers = """
    <h1>Workers</h1>
    <form method="post" action="/actions/workers" id="worker-actions">{{#session}}{{> csrf}}{{/session}}
    <table><thead><tr>{{#session}}<th><span class="hidden-label">select</span></th>{{/session}}<th>worker</th><th>connection</th><th>builds</th><th>load</th><th>flags</th><th>host</th><th>last connected</th></tr></thead><tbody>
    {{#rows}}<tr>{{#session}}<td><input type="checkbox" name="worker" value="{{name}}" aria-label="select {{name}}"></td>{{/session}}<td><a href="{{link}}">{{name}}</a></td><td class="result {{#isConnected}}success{{/isConnected}}{{^isConnected}}failure{{/isConnected}}">{{#isConnected}}✔{{/isConnected}}{{^isConnected}}✘{{/isConnected}} {{connection}}</td>
    <td>{{builds}}</td><td>{{load}}</td><td>{{#flags}}<div>{{.}}</div>{{/flags}}</td><td>{{host}}</td><td>{{lastConnected}}</td></tr>
    {{/rows}}
    </tbody></table>
    {{#session}}<fieldset class="actions"><legend>For the ticked workers</legend>{{> workeractions}}</fieldset>{{/session}}{{^session}}<p class="muted"><a href="{{loginLink}}">Log in</a> to pause, flag or drain workers.</p>{{/session}}
    </form>
    """

    /// The hidden field every form of a logged-in page carries, and where to come back to.
    static let csrf = """
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="{{back}}">
    """

    /// The controls of a worker form (pause, flag, drain), for the ticked workers or one.
    static let workerActions = """
    <label>reason <input name="reason" placeholder="why (optional)"></label>
    <button name="action" value="pause">Pause</button> <button name="action" value="unpause">Unpause</button>
    <label>flag <select name="state"><option value="unavailable">unavailable</option><option value="advisory">advisory</option></select></label>
    <label>for <input name="for" size="5" placeholder="2h"></label>
    <button name="action" value="flag">Set flag</button> <button name="action" value="clear-flag">Clear flag</button>
    <label>drain deadline <input name="deadline" size="5" placeholder="30m"></label>
    <button name="action" value="drain">Drain</button> <button name="action" value="undrain">Undrain</button>
    """

    /// A pending request's cancel button (inside a row that has `id`).
    static let cancel = """
    {{#session}}<form class="inline" method="post" action="/actions/buildrequests/{{id}}/cancel">{{> csrf}}<button class="cancel">Cancel</button></form>{{/session}}
    """

    static let login = """
    <h1>Log in</h1>
    {{#problem}}<p class="problem" role="alert">{{problem}}</p>{{/problem}}
    {{#session}}<p>You are logged in as {{user}}.</p>{{/session}}
    <form method="post" action="/login" id="login-form">
    <input type="hidden" name="next" value="{{next}}">
    <p><label>user <input name="user" autocomplete="username" placeholder="admin"></label></p>
    <p><label>password <input name="password" type="password" autocomplete="current-password"></label></p>
    <p><button>Log in</button></p>
    </form>
    <p class="muted">{{#hasUsers}}Log in with your name from www.users, or as admin with the admin token.{{/hasUsers}}{{^hasUsers}}Log in as admin with the admin token (www.admin_token); name people in www.users to record who did what.{{/hasUsers}}</p>
    """

    static let masters = """
    <h1>Masters</h1>
    {{#warning}}<p class="problem" role="alert">{{warning}}</p>{{/warning}}
    <table><thead><tr><th>master</th><th>state</th><th>generation</th><th>last heartbeat</th><th>lease until</th><th>master.cfg</th><th>schedulers and pollers</th></tr></thead><tbody>
    {{#rows}}<tr><td>{{name}}{{#isThis}} <span class="muted">(this one)</span>{{/isThis}}</td>
    <td class="result {{#isActive}}success{{/isActive}}{{^isActive}}failure{{/isActive}}">{{#isActive}}✔{{/isActive}}{{^isActive}}✘{{/isActive}} {{state}}</td>
    <td>{{generation}}</td><td>{{lastActive}}</td><td>{{leaseExpires}}</td><td><code>{{configHash}}</code></td><td>{{jobs}}</td></tr>
    {{/rows}}
    </tbody></table>
    """

    static let changes = """
    <h1>Changes</h1>
    <table><thead><tr><th>revision</th><th>author</th><th>branch</th><th>message</th><th>files</th><th>when</th></tr></thead><tbody>
    {{#rows}}<tr><td><a href="/api/v2/changes/{{id}}">{{revision}}</a></td><td>{{author}}</td><td>{{branch}}</td><td>{{title}}</td><td>{{files}}</td><td>{{when}}</td></tr>
    {{/rows}}{{^rows}}<tr><td colspan="6" class="muted">no changes recorded</td></tr>{{/rows}}
    </tbody></table>
    """

    static let worker = """
    <h1>Worker {{name}}</h1>
    <table class="facts"><tbody>
    <tr><th>connection</th><td class="result {{#isConnected}}success{{/isConnected}}{{^isConnected}}failure{{/isConnected}}">{{#isConnected}}✔{{/isConnected}}{{^isConnected}}✘{{/isConnected}} {{connection}}</td></tr>
    <tr><th>builds</th><td>{{builds}}</td></tr>
    <tr><th>load</th><td>{{load}}</td></tr>
    <tr><th>cpu pressure</th><td>{{cpuPressure}}</td></tr>
    <tr><th>flags</th><td>{{#flags}}<div>{{.}}</div>{{/flags}}{{^flags}}<span class="muted">none</span>{{/flags}}</td></tr>
    <tr><th>windows</th><td>{{#windows}}<div>{{.}}</div>{{/windows}}{{^windows}}<span class="muted">none this week</span>{{/windows}}</td></tr>
    <tr><th>host</th><td>{{host}}</td></tr>
    <tr><th>agent</th><td>{{#agent}}{{agent}} (<a href="/hosts">hosts</a>){{/agent}}{{^agent}}<span class="muted">none</span>{{/agent}}</td></tr>
    <tr><th>last connected</th><td>{{lastConnected}}</td></tr>
    </tbody></table>
    {{#session}}<form method="post" action="/actions/workers" id="worker-actions">{{> csrf}}<input type="hidden" name="worker" value="{{name}}">
    <fieldset class="actions"><legend>This worker</legend>{{> workeractions}}</fieldset></form>{{/session}}
    <h2>Availability</h2>
    <figure class="timeline">{{{svg}}}</figure>
    <ul class="upcoming">{{#upcoming}}<li>{{.}}</li>{{/upcoming}}{{^upcoming}}<li class="muted">no windows or flags in the next 7 days</li>{{/upcoming}}</ul>
    <h2>Recorded week</h2>
    <figure class="recorded-week"><img src="{{weekPicture}}" width="960" height="290" alt="load, pressures and free memory over the past 7 days, as recorded by the worker"></figure>
    <p class="muted">From the worker's flight recorder: <a href="{{weekJSON}}">the samples as JSON</a>.</p>
    <h2>Recent builds</h2>
    {{> buildrows}}
    """

    static let hosts = """
    <h1>Hosts</h1>
    {{#hosts}}<section class="host">
    <h2>{{hostname}} <span class="muted">{{agent}}</span></h2>
    <table class="facts"><tbody>
    <tr><th>agent link</th><td class="result {{#isConnected}}success{{/isConnected}}{{^isConnected}}failure{{/isConnected}}">{{#isConnected}}✔{{/isConnected}}{{^isConnected}}✘{{/isConnected}} {{link}}</td></tr>
    <tr><th>slots</th><td>{{slots}}</td></tr>
    <tr><th>workers</th><td>{{#workers}}<a href="{{link}}">{{name}}</a> {{/workers}}</td></tr>
    </tbody></table>
    <h3>Leases held by this master</h3>
    <table><thead><tr><th>worker</th><th>lease</th><th>for</th></tr></thead><tbody>
    {{#leases}}<tr><td><a href="{{workerLink}}">{{worker}}</a></td><td>{{lease}}</td><td>{{#buildLink}}<a href="{{buildLink}}">{{what}}</a>{{/buildLink}}{{^buildLink}}{{what}}{{/buildLink}}</td></tr>
    {{/leases}}{{^leases}}<tr><td colspan="3" class="muted">none</td></tr>{{/leases}}
    </tbody></table>
    <h3>Waiting for a slot</h3>
    <table><thead><tr><th>worker</th><th>request</th><th>why it waits</th></tr></thead><tbody>
    {{#waiting}}<tr><td><a href="{{workerLink}}">{{worker}}</a></td><td>{{request}}</td><td>{{reason}} <span class="muted">{{until}}</span></td></tr>
    {{/waiting}}{{^waiting}}<tr><td colspan="3" class="muted">nothing waits</td></tr>{{/waiting}}
    </tbody></table>
    </section>
    {{/hosts}}{{^hosts}}<p id="no-agents">No host agents in use. A host agent (<code>minibot-agent</code>) shares one machine's build slots between every worker on it, whichever master they serve: run it on the host and start the workers there with <code>--agent SOCKET</code>, with the availability plugin enabled on the master (README, "The host agent").</p>{{/hosts}}
    """
}
