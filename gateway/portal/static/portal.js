// My Page: signs a citizen in and shows their overview by theme. It sends only
// persisted operations (by document id), never query text.

const TOKEN_KEY = "citizen-graph.token";
const kroner = new Intl.NumberFormat("da-DK", { style: "currency", currency: "DKK",
  maximumFractionDigits: 0 });

const months = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });

const RELATIONS = { SELF: "you", SPOUSE: "your spouse", PARENT: "your parent",
  CHILD: "your child", OTHER: "someone else" };

let documentIds = {};

// "2026-11-01", "2026-11-30" -> "November 2026"; other periods as "start – end".
function period(start, end) {
  const first = new Date(`${start}T00:00:00Z`);
  const dayAfter = new Date(`${end}T00:00:00Z`);
  dayAfter.setUTCDate(dayAfter.getUTCDate() + 1);
  const wholeMonth = first.getUTCDate() === 1 && dayAfter.getUTCDate() === 1 &&
    (dayAfter.getUTCMonth() + 12 - first.getUTCMonth()) % 12 === 1;
  return wholeMonth ? months.format(first) : `${start} – ${end}`;
}

// An ISO timestamp as "2026-12-04 17:48" in the browser's time zone.
function when(timestamp) {
  const t = new Date(timestamp);
  const pad = (n) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function show(id, visible) {
  document.getElementById(id).hidden = !visible;
}

function body(sectionId) {
  const node = document.querySelector(`#${sectionId} .body`);
  node.replaceChildren();
  return node;
}

function table(columns, rows) {
  const result = el("table");
  const head = el("tr");
  for (const [title, , numeric] of columns) head.append(el("th", title, numeric ? "number" : ""));
  result.append(head);
  for (const row of rows) {
    const line = el("tr");
    for (const [, value, numeric] of columns) line.append(el("td", value(row), numeric ? "number" : ""));
    result.append(line);
  }
  return result;
}

function facts(pairs) {
  const list = el("dl");
  for (const [term, value] of pairs) {
    list.append(el("dt", term), el("dd", value ?? "—"));
  }
  return list;
}

// "healthRecord" -> "health record": the last field of an error's path, in words.
function fieldWords(path) {
  const field = [...(path || [])].reverse().find((part) => typeof part === "string");
  return field ? field.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase() : null;
}

function notice(error) {
  const code = error.extensions?.code;
  const field = fieldWords(error.path);
  if (code === "FORBIDDEN") return `Not shown to you: ${field ?? "part of this section"}.`;
  if (error.extensions?.serviceName) {
    return `Not available right now: ${field ?? "part of this section"} ` +
      `(${error.extensions.serviceName} did not answer).`;
  }
  return error.path ? `Not available: ${field}.` : error.message;
}

function notices(container, errors) {
  for (const error of errors || []) container.append(el("p", notice(error), "notice"));
}

async function run(operationName, variables = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const response = await fetch("/graphql", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ documentId: documentIds[operationName], operationName, variables }),
  });
  let payload;
  try {
    payload = await response.json();
  } catch {
    throw new Error(`The server answered ${operationName} with HTTP ${response.status} and no GraphQL result.`);
  }
  if (response.status === 401) {
    const reason = payload.errors?.[0]?.message ?? "The sign-in was not accepted.";
    throw new Error(`Please sign in again. ${reason}`);
  }
  return payload;
}

function renderProfile({ data, errors }) {
  const node = body("profile");
  const me = data?.me;
  if (!me) {
    node.append(el("p", "The civil register has nothing to show.", "muted"));
  } else {
    const address = me.address;
    node.append(facts([
      ["Name", me.name ? `${me.name.firstNames} ${me.name.middleName ?? ""} ${me.name.lastName}`.replace(/\s+/g, " ") : null],
      ["CPR number", me.cprNumber],
      ["Born", me.birthDate],
      ["Address", address ? `${address.street} ${address.houseNumber}${address.floor ? ", " + address.floor : ""}${address.door ? " " + address.door : ""}, ${address.postcode} ${address.city}` : null],
      ["Civil status", me.civilStatus ? `${me.civilStatus.description}${me.civilStatus.since ? " since " + me.civilStatus.since : ""}` : null],
      ["Spouse", me.spouse ? `${me.spouse.name?.addressingName ?? ""} (${me.spouse.cprNumber ?? ""})` : "none"],
      ["Protections", me.protections == null ? "not shown" : me.protections.length ? me.protections.map((p) => p.kind).join(", ") : "none"],
    ]));
    document.getElementById("signed-in-as").textContent = me.name?.addressingName ?? "";
  }
  notices(node, errors);
}

function renderChildren({ data, errors }) {
  const node = body("children");
  const children = data?.me?.children;
  if (!children || children.length === 0) {
    node.append(el("p", "No children are registered with you.", "muted"));
  }
  // Errors inside one child (its health record) are shown in that child's box.
  const ofChild = (index) => (errors || []).filter(
    (e) => e.path?.[1] === "children" && e.path?.[2] === index);
  (children || []).forEach((child, index) => {
    const box = el("div", null, "child");
    box.append(el("h3", `${child.name?.firstNames ?? ""} ${child.name?.lastName ?? ""}`));
    box.append(facts([
      ["CPR number", child.cprNumber],
      ["Born", child.birthDate],
      ["Custody", child.hasCustody ? "yes" : "no"],
    ]));
    const forbidden = ofChild(index).some(
      (e) => e.extensions?.code === "FORBIDDEN" && e.path?.[3] === "healthRecord");
    const vaccinations = child.healthRecord?.vaccinations;
    if (forbidden) {
      box.append(el("p", "Health data: not shown to you. Parents see the health data " +
        "of children under 15 in their custody.", "notice"));
    } else if (vaccinations?.length) {
      box.append(el("h4", "Vaccinations"));
      box.append(table([["Vaccine", (v) => v.vaccine], ["Against", (v) => v.protectsAgainst], ["Given", (v) => v.givenOn]], vaccinations));
    } else if (child.healthRecord) {
      box.append(el("p", "No vaccinations registered.", "muted"));
    }
    notices(box, ofChild(index).filter((e) => !forbidden || e.path?.[3] !== "healthRecord"));
    node.append(box);
  });
  const others = (errors || []).filter(
    (e) => !(e.path?.[1] === "children" && typeof e.path?.[2] === "number"));
  notices(node, others);
}

function renderEconomy({ data, errors }) {
  const node = body("economy");
  const me = data?.me;
  node.append(el("h3", "Payslips"));
  if (me?.payslips?.length) {
    node.append(table([
      ["Period", (p) => period(p.periodStart, p.periodEnd)],
      ["Payer", (p) => p.employerName],
      ["Gross", (p) => kroner.format(p.grossPay), true],
      ["A-tax", (p) => kroner.format(p.aTax), true],
      ["Net", (p) => kroner.format(p.netPay), true],
    ], me.payslips));
  } else {
    node.append(el("p", "No payslips.", "muted"));
  }
  node.append(el("h3", "Tax assessments"));
  if (me?.taxAssessments?.length) {
    node.append(table([
      ["Year", (a) => a.year],
      ["Kind", (a) => a.kind.toLowerCase()],
      ["Taxable income", (a) => kroner.format(a.taxableIncome), true],
      ["Tax", (a) => kroner.format(a.totalTax), true],
      ["Result", (a) => a.refund ? `refund ${kroner.format(a.refund)}` : a.residualTax ? `to pay ${kroner.format(a.residualTax)}` : "—", true],
    ], me.taxAssessments));
  } else {
    node.append(el("p", "No tax assessments.", "muted"));
  }
  notices(node, errors);
}

function renderHousing({ data, errors }) {
  const node = body("housing");
  const properties = data?.me?.properties;
  if (!properties || properties.length === 0) {
    node.append(el("p", "You own no property.", "muted"));
  }
  for (const property of properties || []) {
    node.append(el("h3", property.address?.text ?? `BFE ${property.bfeNumber}`));
    const latest = (property.valuations || [])[0];
    node.append(facts([
      ["BFE number", property.bfeNumber],
      ["Your share", property.ownershipShare ? `${property.ownershipShare.fraction} since ${property.ownershipShare.since}` : null],
      ["Building", (property.buildings || []).map((b) => `${b.useText}, ${b.floorArea} m², built ${b.constructionYear}`).join("; ")],
      ["Property value", latest ? `${kroner.format(latest.propertyValue)} (${latest.year}${latest.preliminary ? ", preliminary" : ""})` : null],
      ["Land value", latest ? kroner.format(latest.landValue) : null],
      ["Property value tax", property.propertyValueTax != null ? kroner.format(property.propertyValueTax) : null],
      ["Land tax", property.landTax != null ? kroner.format(property.landTax) : null],
    ]));
  }
  notices(node, errors);
}

function renderPension({ data, errors }) {
  const node = body("pension");
  const payslips = data?.me?.payslips || [];
  const sum = (field) => payslips.reduce((total, p) => total + (p[field] || 0), 0);
  const pensionIncome = payslips.filter((p) => p.incomeType === "old_age_pension");
  node.append(facts([
    ["Months counted", payslips.length],
    ["Your pension savings", kroner.format(sum("employeePension"))],
    ["Employer's pension", kroner.format(sum("employerPension"))],
    ["ATP paid", kroner.format(sum("atpAmount"))],
    ["Pension paid out", pensionIncome.length ? kroner.format(pensionIncome.reduce((t, p) => t + p.incomeWithoutContribution, 0)) : "none"],
  ]));
  notices(node, errors);
}

function renderAccessLog({ data, errors }) {
  const node = body("access-log");
  const entries = data?.me?.accessLog?.entries || [];
  if (entries.length === 0) node.append(el("p", "Nobody has looked at your data yet.", "muted"));
  else node.append(table([
    ["When", (e) => when(e.viewedAt)],
    ["Who", (e) => RELATIONS[e.viewerRelation] ?? e.viewerRelation.toLowerCase()],
    ["What", (e) => e.fields.join(", ")],
    ["How", (e) => e.operationName ?? ""],
  ], entries));
  notices(node, errors);
}

async function showOverview() {
  delete document.body.dataset.ready;
  show("sign-in", false);
  show("overview", true);
  show("session", true);
  const pages = [
    ["MyPageProfile", renderProfile],
    ["MyPageChildren", renderChildren],
    ["MyPageEconomy", renderEconomy],
    ["MyPageHousing", renderHousing],
    ["MyPagePension", renderPension],
  ];
  await Promise.all(pages.map(async ([name, render]) => render(await run(name))));
  // The access log last, so that it lists this very visit.
  renderAccessLog(await run("MyPageAccessLog"));
  document.body.dataset.ready = "true";
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  delete document.body.dataset.ready;
  for (const node of document.querySelectorAll("#overview .body")) node.replaceChildren();
  document.getElementById("signed-in-as").textContent = "";
  show("overview", false);
  show("session", false);
  show("sign-in", true);
}

async function devSignIn() {
  const persona = document.getElementById("persona").value;
  const assurance = document.getElementById("assurance").value;
  const response = await fetch(`/dev/token?persona=${encodeURIComponent(persona)}&assurance=${encodeURIComponent(assurance)}`);
  const payload = await response.json();
  if (!response.ok) throw new Error(payload.errors?.[0]?.message ?? "Sign-in failed.");
  sessionStorage.setItem(TOKEN_KEY, payload.token);
}

function showSignInError(message) {
  const node = document.getElementById("sign-in-error");
  node.textContent = message;
  show("sign-in-error", true);
}

async function start() {
  documentIds = await (await fetch("/portal/operations.json")).json();
  const personas = await fetch("/dev/personas");
  if (personas.ok) {
    const select = document.getElementById("persona");
    const description = document.getElementById("persona-description");
    const personaList = await personas.json();
    for (const persona of personaList) {
      const option = el("option", persona.name);
      option.value = persona.name;
      select.append(option);
    }
    const describe = () => {
      description.textContent = personaList.find((p) => p.name === select.value)?.description ?? "";
    };
    select.addEventListener("change", describe);
    describe();
    show("dev-sign-in", true);
  } else {
    show("broker-sign-in", true);
  }
  document.getElementById("sign-in-button").addEventListener("click", async () => {
    show("sign-in-error", false);
    try {
      await devSignIn();
      await showOverview();
    } catch (error) {
      signOut();
      showSignInError(error.message);
    }
  });
  document.getElementById("sign-out").addEventListener("click", signOut);
  const wanted = new URLSearchParams(location.search).get("persona");
  try {
    if (wanted && personas.ok) {
      document.getElementById("persona").value = wanted;
      await devSignIn();
    }
    if (sessionStorage.getItem(TOKEN_KEY)) await showOverview();
  } catch (error) {
    signOut();
    showSignInError(error.message);
  }
}

start().catch((error) => showSignInError(`My Page could not start: ${error.message}`));
