// The web chat of Marketing Copilot: plain JavaScript over the HTTP API (channels/api.py).
// Every piece of shop data reaches the page through textContent or a text node, never as HTML.
"use strict";

(() => {
  const TOKEN_KEY = "copilot.token";
  const LANG_KEY = "copilot.lang";

  // -- words ------------------------------------------------------------------------------------

  const STRINGS = {
    en: {
      title: "Marketing Copilot",
      menu: "Conversations",
      chat: "Chat",
      log: "Decision log",
      signInTitle: "Sign in",
      signInHint: "Paste a token made with `copilot token create`.",
      token: "Token",
      remember: "Keep me signed in on this device",
      signIn: "Sign in",
      signOut: "Sign out",
      badToken: "That token is not valid (or was revoked).",
      expired: "Your token is no longer valid; sign in again.",
      unreachable: "The server cannot be reached; try again in a moment.",
      role_viewer: "viewer",
      role_marketer: "marketer",
      role_approver: "approver",
      role_admin: "admin",
      newThread: "New conversation",
      threads: "Conversations",
      noThreads: "No conversations yet.",
      placeholder: "Ask about the shop… (Enter sends, Shift+Enter for a new line)",
      send: "Send",
      viewerNote: "Viewers read conversations and the decision log; asking needs the marketer role.",
      welcome: "Ask in English or Chinese. For example:",
      examples: [
        "Which customers are about to lapse?",
        "Monthly sales report for 2011",
        "Set the bid of campaign 1 to 0.9",
      ],
      you: "You",
      copilot: "Copilot",
      thinking: "Thinking…",
      routed: "Routed to {0}",
      outOfScope: "Out of scope",
      calling: "Calling {0}…",
      toolCalls: "Tool calls ({0})",
      arguments: "Arguments",
      result: "Result",
      moreRows: "… and {0} more rows (download the list for all)",
      noAnswer: "No answer yet: the change below waits.",
      download: "Download the list: {0} ({1} rows)",
      filesFailed: "The answer's files could not be loaded: {0}",
      pendingTitle: "Change waiting for approval",
      changeTitle: "Change",
      proposedBy: "Proposed by {0}; expires {1}",
      moreWaiting: "{0} more change(s) wait after this one.",
      approve: "Approve",
      reject: "Reject",
      needsApprover: "An approver must approve or reject this change.",
      outcome_approved: "Approved by {0} at {1}",
      outcome_rejected: "Rejected by {0} at {1}",
      outcome_stale: "Not applied: the value moved since it was shown; a fresh preview follows.",
      outcome_other: "{0} by {1} at {2}",
      helpful: "Helpful",
      notHelpful: "Not helpful",
      thanks: "Thanks, noted.",
      since: "Since",
      kind: "Kind",
      status: "Status",
      channel: "Channel",
      agent: "Agent",
      tool: "Tool",
      thread: "Thread",
      any: "any",
      apply: "Apply",
      loading: "Loading…",
      decisionsShown: "{0} decisions, newest first.",
      request: "Request",
      errorText: "Error",
      openThread: "Open conversation {0}",
      settledBy: "Settled by {0}",
    },
    zh: {
      title: "营销助手",
      menu: "对话",
      chat: "对话",
      log: "决策日志",
      signInTitle: "登录",
      signInHint: "粘贴用 `copilot token create` 生成的令牌。",
      token: "令牌",
      remember: "在此设备上保持登录",
      signIn: "登录",
      signOut: "退出",
      badToken: "令牌无效（或已被撤销）。",
      expired: "令牌已失效，请重新登录。",
      unreachable: "无法连接服务器，请稍后再试。",
      role_viewer: "查看者",
      role_marketer: "营销人员",
      role_approver: "审批人",
      role_admin: "管理员",
      newThread: "新对话",
      threads: "对话",
      noThreads: "还没有对话。",
      placeholder: "问问店铺的情况…（回车发送，Shift+回车换行）",
      send: "发送",
      viewerNote: "查看者可以阅读对话和决策日志；提问需要营销人员角色。",
      welcome: "可以用中文或英文提问，例如：",
      examples: ["哪些老客户快流失了？", "上个月卖了多少钱", "1号活动出价改成0.9镑"],
      you: "你",
      copilot: "助手",
      thinking: "思考中…",
      routed: "交给 {0}",
      outOfScope: "超出范围",
      calling: "正在调用 {0}…",
      toolCalls: "工具调用（{0}）",
      arguments: "参数",
      result: "结果",
      moreRows: "……还有 {0} 行（下载名单查看全部）",
      noAnswer: "尚无回答：下面的变更在等待审批。",
      download: "下载名单：{0}（{1} 行）",
      filesFailed: "无法加载回答的文件：{0}",
      pendingTitle: "等待审批的变更",
      changeTitle: "变更",
      proposedBy: "由 {0} 提出；{1} 过期",
      moreWaiting: "之后还有 {0} 项变更等待审批。",
      approve: "批准",
      reject: "拒绝",
      needsApprover: "此变更需要审批人批准或拒绝。",
      outcome_approved: "{0} 于 {1} 批准",
      outcome_rejected: "{0} 于 {1} 拒绝",
      outcome_stale: "未执行：展示后数值已变化，随后给出新的预览。",
      outcome_other: "{1} 于 {2}：{0}",
      helpful: "有帮助",
      notHelpful: "没帮助",
      thanks: "谢谢，已记录。",
      since: "起始",
      kind: "类型",
      status: "状态",
      channel: "渠道",
      agent: "智能体",
      tool: "工具",
      thread: "对话",
      any: "全部",
      apply: "筛选",
      loading: "加载中…",
      decisionsShown: "共 {0} 条决策，最新的在前。",
      request: "请求",
      errorText: "错误",
      openThread: "打开对话 {0}",
      settledBy: "由 {0} 处理",
    },
  };

  let lang = localStorage.getItem(LANG_KEY) || ((navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en");
  if (!STRINGS[lang]) lang = "en";

  function t(key, ...args) {
    const text = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
    if (typeof text !== "string") return text;
    return text.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ""));
  }

  // -- the DOM, from text only -------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = String(value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child !== undefined && child !== null && child !== false) node.append(child); // a string is a text node
    }
    return node;
  }

  function applyLang() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = t("title");
    $("lang").value = lang;
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
    for (const node of document.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
    showWho();
  }

  const pretty = (value) => JSON.stringify(value, null, 2);
  const when = (iso) => (iso ? String(iso).replace("T", " ").replace(/(\.\d+)?Z?$/, "") : "");
  const person = (by) => (by ? `${by.user} (${by.channel})` : "?");

  // -- the API -----------------------------------------------------------------------------------

  const state = { token: null, me: null, thread: null, convo: 0, busy: false, blobs: [], logLoads: 0 };

  class Failure extends Error {
    constructor(status, message, body) {
      super(message);
      this.status = status;
      this.body = body || {};
    }
  }

  async function api(path, { method = "GET", body, accept } = {}) {
    if (!state.token) throw new Failure(401, t("expired")); // signed out while something was loading
    const headers = { Authorization: `Bearer ${state.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (accept) headers.Accept = accept;
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new Failure(0, t("unreachable"));
    }
    if (response.ok) return response;
    const data = await response.json().catch(() => ({}));
    const failure = new Failure(response.status, data.error || `${response.status} ${response.statusText}`, data);
    if (response.status === 401 && state.me) signOut(t("expired"));
    throw failure;
  }

  const getJSON = async (path) => (await api(path)).json();
  const q = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v != null)).toString();

  // The events of a text/event-stream response, as they arrive: onEvent(kind, JSON data).
  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let kind = "";
    let data = [];
    const line = (text) => {
      if (text === "") {
        if (data.length) onEvent(kind || "message", JSON.parse(data.join("\n")));
        kind = "";
        data = [];
      } else if (!text.startsWith(":")) {
        const colon = text.indexOf(":");
        const field = colon < 0 ? text : text.slice(0, colon);
        const value = colon < 0 ? "" : text.slice(colon + 1).replace(/^ /, "");
        if (field === "event") kind = value;
        else if (field === "data") data.push(value);
      }
    };
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
      const lines = buffer.split(/\r\n|\r(?!$)|\n/); // a CR at the end may be the first half of a CRLF
      buffer = done ? "" : lines.pop();
      lines.forEach((text) => line(text.replace(/\r$/, "")));
      if (done) return line("");
    }
  }

  // -- signing in --------------------------------------------------------------------------------

  function storedToken() {
    return sessionStorage.getItem(TOKEN_KEY) || localStorage.getItem(TOKEN_KEY);
  }

  async function signIn(token, remember) {
    state.token = token;
    try {
      state.me = await getJSON("/v1/me");
    } catch (failure) {
      state.token = null;
      throw failure;
    }
    (remember ? localStorage : sessionStorage).setItem(TOKEN_KEY, token);
    showApp();
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(TOKEN_KEY);
    Object.assign(state, { token: null, me: null, thread: null, convo: state.convo + 1 });
    forgetBlobs();
    $("messages").replaceChildren();
    $("threads").replaceChildren();
    $("decisions").replaceChildren();
    $("app").hidden = true;
    $("tabs").hidden = $("signout").hidden = $("menu").hidden = true;
    $("signin").hidden = false;
    $("signin-error").textContent = message || "";
    $("token").value = "";
    showWho();
    $("token").focus();
  }

  function showWho() {
    $("who").textContent = state.me ? `${state.me.name} · ${t(`role_${state.me.role}`)}` : "";
  }

  function showApp() {
    $("signin").hidden = true;
    $("app").hidden = false;
    $("tabs").hidden = $("signout").hidden = $("menu").hidden = false;
    const mayAsk = Boolean(state.me.can.ask);
    $("ask").hidden = $("new").hidden = !mayAsk;
    $("readonly").hidden = mayAsk;
    showWho();
    refreshThreads();
    route();
  }

  // -- conversations -----------------------------------------------------------------------------

  async function refreshThreads() {
    const list = $("threads");
    if (!state.me) return;
    try {
      const { threads } = await getJSON(`/v1/threads?${q({ user: state.me.name, limit: 100 })}`);
      list.replaceChildren(
        ...threads.map((th) =>
          el(
            "li",
            {},
            el(
              "a",
              {
                href: `#thread=${encodeURIComponent(th.thread_id)}`,
                class: th.thread_id === state.thread ? "thread current" : "thread",
                "data-thread": th.thread_id,
              },
              el("span", { class: "thread-title", text: th.title || th.thread_id }),
              el("time", { text: when(th.last_at) }),
            ),
          ),
        ),
      );
      if (!threads.length) list.replaceChildren(el("li", { class: "hint", text: t("noThreads") }));
    } catch (failure) {
      list.replaceChildren(el("li", { class: "error", text: failure.message }));
    }
  }

  function markCurrentThread() {
    for (const link of $("threads").querySelectorAll("a.thread")) {
      link.classList.toggle("current", link.dataset.thread === state.thread);
    }
  }

  function forgetBlobs() {
    state.blobs.forEach((url) => URL.revokeObjectURL(url));
    state.blobs = [];
  }

  function newConversation() {
    state.convo += 1;
    state.thread = null;
    forgetBlobs();
    const examples = t("examples").map((text) =>
      el("li", {}, el("button", { type: "button", class: "example", text, onclick: () => fill(text) })),
    );
    $("messages").replaceChildren(
      el("li", { class: "welcome" }, el("p", { text: t("welcome") }), state.me.can.ask ? el("ul", {}, examples) : null),
    );
    markCurrentThread();
    showView("chat");
    if (state.me.can.ask) $("message").focus();
  }

  function fill(text) {
    $("message").value = text;
    $("message").focus();
  }

  async function openThread(threadId) {
    const convo = ++state.convo;
    state.thread = threadId;
    forgetBlobs();
    markCurrentThread();
    showView("chat");
    const messages = $("messages");
    messages.replaceChildren(el("li", { class: "hint", text: t("loading") }));
    let thread;
    let decisions;
    try {
      [thread, { decisions }] = await Promise.all([
        getJSON(`/v1/threads/${encodeURIComponent(threadId)}`),
        getJSON(`/v1/decisions?${q({ thread: threadId, limit: 1000 })}`),
      ]);
    } catch (failure) {
      if (convo === state.convo) messages.replaceChildren(el("li", { class: "error", text: failure.message }));
      return;
    }
    if (convo !== state.convo) return;
    messages.replaceChildren();
    for (const run of thread.runs) {
      messages.append(userTurn(run.request));
      const turn = botTurn();
      messages.append(turn.node);
      const mine = decisions.filter((d) => d.run_id === run.run_id).reverse(); // oldest first
      const routes = mine.filter((d) => d.kind === "route" && d.agent && d.agent !== "supervisor").map((d) => d.agent);
      if (routes.length) turn.route(routes);
      const calls = mine.filter((d) => d.kind === "tool");
      turn.showCalls(
        calls.map((d) => ({ agent: d.agent, name: d.tool, args: d.arguments, status: d.status, result: d.result, error: d.error })),
      );
      if (run.answer !== null) turn.finish({ run_id: run.run_id, answer: run.answer });
      else turn.say(t("noAnswer"));
      thread.changes.filter((c) => c.run_id === run.run_id).forEach((c) => turn.showChange(c, threadId));
    }
    messages.lastElementChild?.scrollIntoView({ block: "end" });
  }

  // -- one exchange ------------------------------------------------------------------------------

  function userTurn(text) {
    return el("li", { class: "turn user" }, el("p", { class: "who-said", text: t("you") }), el("p", { class: "bubble", text }));
  }

  // A copilot turn: its route, what it is doing, its answer, files, tool calls, pending change, thumbs.
  function botTurn() {
    const route = el("p", { class: "route" });
    const status = el("p", { class: "status", role: "status" });
    const answer = el("div", { class: "answer" });
    const files = el("div", { class: "files" });
    const callBox = el("div", { class: "calls" });
    const cards = el("div", { class: "cards" });
    const thumbs = el("div", { class: "feedback" });
    const node = el(
      "li",
      { class: "turn bot" },
      el("p", { class: "who-said", text: t("copilot") }),
      el("div", { class: "bubble" }, route, status, answer, files, callBox, cards, thumbs),
    );
    const live = new Map(); // tool call id -> its details, while streaming
    const listed = el("div", { class: "call-list" });
    const folder = el("details", { class: "call-group" }, el("summary"), listed);

    function count() {
      folder.querySelector("summary").textContent = t("toolCalls", listed.childElementCount);
      if (folder.parentNode !== callBox && listed.childElementCount) callBox.append(folder);
    }

    return {
      node,
      say(text) {
        status.textContent = text;
      },
      route(names) {
        const chips = names.length ? names : [t("outOfScope")];
        route.replaceChildren(...chips.map((name) => el("span", { class: "chip", text: name })));
      },
      call(event) {
        const view = callView(event);
        live.set(event.id, view);
        listed.append(view);
        count();
      },
      result(event) {
        const old = live.get(event.id);
        const view = callView({ ...(old?.call || {}), ...event });
        if (old) old.replaceWith(view);
        else listed.append(view);
        live.set(event.id, view);
        count();
      },
      showCalls(calls) {
        listed.replaceChildren(...calls.map(callView));
        count();
      },
      showChange(change, threadId) {
        cards.append(changeCard(change, threadId));
      },
      fail(message) {
        status.textContent = "";
        answer.append(el("p", { class: "error", role: "alert", text: message }));
      },
      finish(result) {
        status.textContent = "";
        answer.replaceChildren(el("p", { class: "answer-text", text: result.answer }));
        if (result.route) this.route(result.route);
        if (result.tool_calls) this.showCalls(result.tool_calls);
        if (result.run_id) {
          node.dataset.run = result.run_id;
          showFiles(files, result.run_id);
          if (state.me?.can.ask) thumbs.replaceChildren(...feedbackButtons(result.run_id));
        }
      },
    };
  }

  function callView(call) {
    const view = el(
      "details",
      { class: "call" },
      el(
        "summary",
        {},
        el("span", { class: "tool-name", text: call.name || "?" }),
        call.agent ? el("span", { class: "agent", text: call.agent }) : null,
        el("span", { class: `chip status-${call.status || "running"}`, text: call.status || "…" }),
      ),
      el("h4", { text: t("arguments") }),
      figures(call.args ?? {}),
    );
    if (call.error) view.append(el("h4", { text: t("errorText") }), el("p", { class: "error", text: call.error }));
    if (call.result !== undefined && call.result !== null) view.append(el("h4", { text: t("result") }), figures(call.result));
    view.call = call;
    return view;
  }

  const isPlain = (v) => v === null || ["string", "number", "boolean"].includes(typeof v);
  const isRows = (v) => Array.isArray(v) && v.length > 0 && v.every((r) => r && typeof r === "object" && !Array.isArray(r));
  const MAX_ROWS = 20;

  // A tool's figures: plain fields as a list, lists of records as a table, a list of values on a line.
  function figures(value) {
    if (isRows(value)) return table(value);
    const shown = (v) => (v === null ? "—" : String(v));
    if (Array.isArray(value) && value.every(isPlain)) return el("p", { class: "values", text: value.map(shown).join(", ") });
    if (!value || typeof value !== "object" || Array.isArray(value)) return el("pre", { text: pretty(value) });
    const plain = Object.entries(value).filter(([, v]) => isPlain(v));
    const nested = Object.entries(value).filter(([, v]) => !isPlain(v));
    const box = el("div", { class: "figures" });
    if (plain.length) box.append(el("dl", {}, plain.map(([k, v]) => [el("dt", { text: k }), el("dd", { text: shown(v) })])));
    for (const [k, v] of nested) {
      const empty = (Array.isArray(v) ? v.length : Object.keys(v).length) === 0;
      box.append(el("div", { class: "nested" }, el("h5", { text: k }), empty ? el("p", { class: "hint", text: "—" }) : figures(v)));
    }
    return box;
  }

  function table(rows) {
    const columns = [...new Set(rows.slice(0, MAX_ROWS).flatMap((r) => Object.keys(r)))];
    const cell = (v) => el("td", { text: v === null || v === undefined ? "" : isPlain(v) ? String(v) : JSON.stringify(v) });
    return el(
      "div",
      { class: "table-wrap" },
      el(
        "table",
        {},
        el("thead", {}, el("tr", {}, columns.map((c) => el("th", { text: c })))),
        el("tbody", {}, rows.slice(0, MAX_ROWS).map((r) => el("tr", {}, columns.map((c) => cell(r[c]))))),
      ),
      rows.length > MAX_ROWS ? el("p", { class: "hint", text: t("moreRows", rows.length - MAX_ROWS) }) : null,
    );
  }

  async function showFiles(box, runId) {
    try {
      const { files } = await getJSON(`/v1/runs/${runId}/files`);
      for (const file of files) {
        if (!String(file.url).startsWith("/v1/runs/")) continue;
        const url = URL.createObjectURL(await (await api(file.url)).blob());
        state.blobs.push(url);
        if (file.kind === "chart") {
          const image = el("img", { src: url, alt: file.title, class: "chart" });
          box.append(el("figure", {}, image, el("figcaption", { text: file.title })));
        } else {
          box.append(el("a", { href: url, download: file.name, class: "download", text: t("download", file.name, file.rows) }));
        }
      }
    } catch (failure) {
      box.append(el("p", { class: "error", text: t("filesFailed", failure.message) }));
    }
  }

  function feedbackButtons(runId) {
    const note = el("span", { class: "hint", role: "status" });
    const send = async (up, button) => {
      try {
        await api("/v1/feedback", { method: "POST", body: { run_id: runId, up } });
        for (const b of [upButton, downButton]) b.setAttribute("aria-pressed", String(b === button));
        note.textContent = t("thanks");
      } catch (failure) {
        note.textContent = failure.message;
      }
    };
    const thumb = (up, icon, label) =>
      el(
        "button",
        { type: "button", class: `thumb ${up ? "up" : "down"}`, "aria-pressed": "false", onclick: () => send(up, up ? upButton : downButton) },
        el("span", { "aria-hidden": "true", text: icon }),
        ` ${t(label)}`,
      );
    const upButton = thumb(true, "👍", "helpful");
    const downButton = thumb(false, "👎", "notHelpful");
    return [upButton, downButton, note];
  }

  // -- changes: waiting for approval, or settled ---------------------------------------------------

  // A change as a card: a pending_approval of the contract (or a waiting row of the thread) with
  // Approve and Reject for an approver; a settled row of the thread with who settled it.
  function changeCard(p, threadId) {
    const waiting = !p.state || p.state === "pending";
    const target = p.target ? `${p.target.kind} ${p.target.id ?? ""} · ${p.target.name ?? ""}` : p.tool || "";
    const outcome = el("p", { class: "outcome", role: "status", text: waiting ? "" : outcomeText(p) });
    const card = el(
      "section",
      { class: waiting ? "card pending" : "card settled", "data-change": p.id },
      el("h3", { text: t(waiting ? "pendingTitle" : "changeTitle") }),
      el("p", { class: "target", text: target }),
      el(
        "p",
        { class: "change" },
        el("span", { class: "field", text: p.field ?? "" }),
        ": ",
        el("span", { class: "from", text: String(p.from ?? "—") }),
        " → ",
        el("strong", { class: "to", text: String(p.to ?? "—") }),
        p.change_pct !== null && p.change_pct !== undefined ? ` (${p.change_pct > 0 ? "+" : ""}${p.change_pct}%)` : "",
      ),
      p.warnings?.length
        ? el("ul", { class: "warnings" }, p.warnings.map((w) => el("li", { text: typeof w === "string" ? w : JSON.stringify(w) })))
        : null,
      el("p", { class: "hint", text: t("proposedBy", person(p.proposed_by), when(p.expires_at)) }),
      (p.pending?.length ?? 0) > 1 ? el("p", { class: "hint", text: t("moreWaiting", p.pending.length - 1) }) : null,
    );
    if (waiting && state.me?.can.approve) card.append(approvalButtons(p, threadId, card, outcome));
    else if (waiting) card.append(el("p", { class: "hint needs-approver", text: t("needsApprover") }));
    card.append(outcome);
    return card;
  }

  function approvalButtons(p, threadId, card, outcome) {
    const approve = el("button", { type: "button", class: "primary approve", text: t("approve") });
    const reject = el("button", { type: "button", class: "reject", text: t("reject") });
    const buttons = el("div", { class: "actions" }, approve, reject);
    const settle = async (yes) => {
      approve.disabled = reject.disabled = true;
      try {
        const response = await api(`/v1/threads/${encodeURIComponent(threadId)}/approval`, {
          method: "POST",
          body: { approve: yes, change_id: p.id, channel: "web" },
        });
        const result = await response.json();
        const mine = (result.settled || []).find((s) => s.id === p.id) || (result.settled || [])[0];
        buttons.remove();
        card.classList.add("settled");
        outcome.textContent = mine ? outcomeText(mine) : "";
        const before = card.closest(".turn");
        before.querySelector(".feedback").replaceChildren(); // the run's thumbs go with its last answer
        const turn = botTurn();
        before.after(turn.node);
        turn.finish(result);
        if (result.pending_approval) turn.showChange(result.pending_approval, threadId);
        refreshThreads();
      } catch (failure) {
        outcome.textContent = failure.message; // a 409 says who settled it first, and when
        if (failure.status === 409) {
          buttons.remove();
          card.classList.add("settled");
        } else {
          approve.disabled = reject.disabled = false;
        }
      }
    };
    approve.addEventListener("click", () => settle(true));
    reject.addEventListener("click", () => settle(false));
    return buttons;
  }

  // How a change ended: the `outcome` of a settled change in the contract, or the `state` of a thread's row.
  function outcomeText(settled) {
    const outcome = settled.outcome || settled.state;
    const by = person(settled.settled_by);
    if (outcome === "stale" || settled.replaced_by) return t("outcome_stale"); // a fresh preview took its place
    if (outcome === "approved" || outcome === "rejected") return t(`outcome_${outcome}`, by, when(settled.settled_at));
    return t("outcome_other", outcome, by, when(settled.settled_at));
  }

  // -- asking ------------------------------------------------------------------------------------

  async function ask(text) {
    const convo = state.convo;
    const messages = $("messages");
    messages.querySelector(".welcome")?.remove();
    messages.append(userTurn(text));
    const turn = botTurn();
    messages.append(turn.node);
    turn.say(t("thinking"));
    turn.node.scrollIntoView({ block: "end" });
    const body = { message: text, channel: "web" };
    if (state.thread) body.thread_id = state.thread;
    try {
      const response = await api("/v1/ask", { method: "POST", body, accept: "text/event-stream" });
      await readEvents(response, (kind, data) => {
        if (kind === "route") {
          turn.route(data.route || []);
          turn.say(t("thinking"));
        } else if (kind === "tool_call") {
          turn.call(data);
          turn.say(t("calling", data.name));
        } else if (kind === "tool_result") {
          turn.result(data);
        } else if (kind === "answer") { // the whole contract; its pending_approval was the event before
          turn.finish(data);
          if (convo === state.convo) {
            state.thread = data.thread_id;
            history.replaceState(null, "", `#thread=${encodeURIComponent(data.thread_id)}`); // a reload reopens it
          }
          if (data.pending_approval) turn.showChange(data.pending_approval, data.thread_id);
        } else if (kind === "error") {
          turn.fail(data.error);
        }
        turn.node.scrollIntoView({ block: "end" });
      });
    } catch (failure) {
      turn.fail(failure.message);
    }
    refreshThreads();
  }

  // -- the decision log --------------------------------------------------------------------------

  // The log as the filters say; only the latest of loads that overlap is shown (aria-busy until then).
  async function loadDecisions() {
    const load = ++state.logLoads;
    const form = new FormData($("filters"));
    const params = Object.fromEntries([...form.entries()].map(([k, v]) => [k, String(v).trim()]));
    const list = $("decisions");
    const status = $("log-status");
    list.setAttribute("aria-busy", "true");
    status.textContent = t("loading");
    let decisions = [];
    let said;
    try {
      ({ decisions } = await getJSON(`/v1/decisions?${q({ ...params, limit: 200 })}`));
      said = t("decisionsShown", decisions.length);
    } catch (failure) {
      said = failure.message;
    }
    if (load !== state.logLoads) return; // a later load is under way
    list.replaceChildren(...decisions.map(decisionView));
    status.textContent = said;
    list.setAttribute("aria-busy", "false");
  }

  function decisionView(d) {
    const what = [d.agent, d.tool].filter(Boolean).join(" · ");
    const view = el(
      "details",
      { class: `decision kind-${d.kind}`, "data-id": d.id },
      el(
        "summary",
        {},
        el("time", { text: when(d.created_at) }),
        el("span", { class: "chip kind", text: d.kind }),
        el("span", { class: "what", text: what || "—" }),
        el("span", { class: `chip status-${d.status}`, text: d.status }),
        el("span", { class: "by", text: `${d.user} (${d.channel})` }),
      ),
      el("p", {}, el("strong", { text: `${t("request")}: ` }), d.request ?? ""),
      el("p", {}, el("a", { href: `#thread=${encodeURIComponent(d.thread_id)}`, class: "thread-link", text: t("openThread", d.thread_id) })),
    );
    if (d.settled_by) view.append(el("p", { class: "settled-by", text: t("settledBy", person(d.settled_by)) }));
    if (d.arguments) view.append(el("h4", { text: t("arguments") }), figures(d.arguments));
    if (d.error) view.append(el("h4", { text: t("errorText") }), el("p", { class: "error", text: d.error }));
    if (d.result !== null && d.result !== undefined) view.append(el("h4", { text: t("result") }), figures(d.result));
    return view;
  }

  // -- views and wiring --------------------------------------------------------------------------

  function showView(name) {
    $("chat").hidden = name !== "chat";
    $("log").hidden = name !== "log";
    $("tab-chat").setAttribute("aria-pressed", String(name === "chat"));
    $("tab-log").setAttribute("aria-pressed", String(name === "log"));
    document.body.classList.remove("side-open");
    $("menu").setAttribute("aria-expanded", "false");
  }

  // #thread=ID opens a conversation (the side list and the decision log link there); else a new one.
  function route() {
    if (!state.me) return;
    const match = /^#thread=(.+)$/.exec(location.hash);
    if (match) openThread(decodeURIComponent(match[1]));
    else newConversation();
  }

  function wire() {
    $("lang").addEventListener("change", () => {
      lang = $("lang").value;
      localStorage.setItem(LANG_KEY, lang);
      applyLang();
      if (state.me && !state.thread && !state.busy) newConversation();
    });
    $("signin-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      $("signin-error").textContent = "";
      try {
        await signIn($("token").value.trim(), $("remember").checked);
      } catch (failure) {
        $("signin-error").textContent = failure.status === 401 ? t("badToken") : failure.message;
      }
    });
    $("signout").addEventListener("click", () => signOut());
    $("menu").addEventListener("click", () => {
      const open = document.body.classList.toggle("side-open");
      $("menu").setAttribute("aria-expanded", String(open));
    });
    $("scrim").addEventListener("click", () => showView($("log").hidden ? "chat" : "log"));
    $("new").addEventListener("click", () => {
      if (location.hash) history.pushState(null, "", location.pathname);
      newConversation();
    });
    $("tab-chat").addEventListener("click", () => showView("chat"));
    $("tab-log").addEventListener("click", () => {
      showView("log");
      loadDecisions();
    });
    $("filters").addEventListener("submit", (event) => {
      event.preventDefault();
      loadDecisions();
    });
    window.addEventListener("hashchange", route);
    $("threads").addEventListener("click", (event) => {
      const link = event.target.closest("a.thread");
      if (link && link.hash === location.hash) {
        event.preventDefault(); // the hash would not change: open it again from the server
        route();
      }
    });
    $("ask").addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = $("message").value.trim();
      if (!text || state.busy) return;
      state.busy = true;
      $("send").disabled = true;
      $("message").value = "";
      try {
        await ask(text);
      } finally {
        state.busy = false;
        $("send").disabled = false;
        $("message").focus();
      }
    });
    $("message").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $("ask").requestSubmit();
      }
    });
  }

  async function start() {
    wire();
    applyLang();
    const token = storedToken();
    if (!token) return signOut();
    try {
      await signIn(token, Boolean(localStorage.getItem(TOKEN_KEY)));
    } catch (failure) {
      signOut(failure.status === 401 ? t("expired") : failure.message);
    }
  }

  start();
})();
