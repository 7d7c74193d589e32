/**
 * The status page's script. It keeps the page current without a reload: every 2 seconds it fetches the page
 * again and swaps the parts marked `data-live`, so that the server renders every fact and the browser has no
 * second renderer for them. Two parts are the browser's own, because they keep what a person did:
 *
 * - the org tree: read from `GET /api/tree` one level (and one page of children) at a time as nodes are
 *   opened, so that 100,000 orgs never load at once; it is read again, keeping the open nodes, when a pass
 *   has finished;
 * - the admin token: typed once, kept in this tab's sessionStorage only, and sent as `Authorization: Bearer`
 *   with the approve and reject buttons of held changes. The server never puts it in a page.
 */
export const script = `
(() => {
  const tokenKey = "orgsync.adminToken"
  const badges = ["pending", "held", "drifted", "contested", "conflict"]
  const byId = (id) => document.getElementById(id)
  const make = (tag, attributes, ...children) => {
    const element = document.createElement(tag)
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value)
    element.append(...children.filter((child) => child !== null))
    return element
  }

  // The org tree ------------------------------------------------------------------------------------
  const tree = byId("tree")
  const opened = new Set()

  const nodeLine = (node) => {
    const parts = [make("span", { class: "org-name" }, node.name), " ", make("span", { class: "status status-" + node.status }, node.status)]
    for (const badge of node.badges) parts.push(" ", make("span", { class: "tag tag-" + badge }, badge))
    const below = badges.filter((badge) => node.below[badge] > 0).map((badge) => node.below[badge] + " " + badge)
    if (below.length > 0) parts.push(" ", make("span", { class: "below" }, "below: " + below.join(", ")))
    if (node.notes.length > 0) parts.push(make("span", { class: "notes", style: "display: block" }, node.notes.join("; ")))
    return parts
  }

  const nodeItem = (node) => {
    const item = make("li", { "data-path": node.path })
    if (node.orgUid === null || node.children === 0) {
      item.append(make("div", { class: "leaf" }, ...nodeLine(node)))
      return item
    }
    const list = make("ul", {})
    const details = make("details", { "data-uid": node.orgUid }, make("summary", {}, ...nodeLine(node)), list)
    const expand = () => {
      if (details.dataset.loaded) return
      details.dataset.loaded = "yes"
      loadChildren(list, node.orgUid, 0)
    }
    details.addEventListener("toggle", () => {
      if (details.open) {
        opened.add(node.orgUid)
        expand()
      } else {
        opened.delete(node.orgUid)
      }
    })
    if (opened.has(node.orgUid)) {
      details.open = true
      expand()
    }
    item.append(details)
    return item
  }

  // Appends one page of the children of \`under\` (the top level when null), and a button for the next page.
  const loadChildren = async (list, under, offset) => {
    const query = new URLSearchParams({ offset: String(offset) })
    if (under !== null) query.set("under", under)
    try {
      const response = await fetch("/api/tree?" + query, { cache: "no-store" })
      if (!response.ok) throw new Error((await response.json()).error)
      const page = await response.json()
      for (const node of page.nodes) list.append(nodeItem(node))
      const rest = page.total - page.offset - page.nodes.length
      if (rest > 0) {
        const more = make("button", { type: "button", class: "more" }, rest + " more")
        const item = make("li", {}, more)
        more.addEventListener("click", () => {
          item.remove()
          loadChildren(list, under, page.offset + page.nodes.length)
        })
        list.append(item)
      }
      return page
    } catch (error) {
      list.append(make("li", { class: "bad-text" }, "Cannot read the orgs: " + error.message))
      return null
    }
  }

  const loadTree = async () => {
    const list = make("ul", {})
    const page = await loadChildren(list, null, 0)
    const about = byId("tree-about")
    if (page !== null) {
      about.textContent = page.root === null
        ? "No snapshot of Code42 yet: the tree shows after the first pass."
        : "The orgs under " + page.root.name + " as last read from Code42 (" + page.snapshotAt + "), with what the last pass left to do."
    }
    tree.querySelector(":scope > ul").replaceWith(list)
  }

  // Held changes: approve and reject ----------------------------------------------------------------
  const admin = byId("admin")
  const said = byId("admin-said")
  const token = () => sessionStorage.getItem(tokenKey)

  const showAdmin = () => {
    if (admin === null) return
    admin.hidden = document.querySelector("[data-admin=true]") === null
    byId("admin-state").textContent = token() === null
      ? "Enter the admin token to approve or reject held changes:"
      : "Admin token set for this tab."
    byId("admin-token").hidden = token() !== null
    byId("admin-use").hidden = token() !== null
    byId("admin-forget").hidden = token() === null
  }

  if (admin !== null) {
    admin.addEventListener("submit", (event) => {
      event.preventDefault()
      const input = byId("admin-token")
      if (input.value.trim() !== "") sessionStorage.setItem(tokenKey, input.value.trim())
      input.value = ""
      said.textContent = ""
      showAdmin()
    })
    byId("admin-forget").addEventListener("click", () => {
      sessionStorage.removeItem(tokenKey)
      showAdmin()
    })
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-decide]")
    if (button === null) return
    const secret = token()
    if (secret === null) {
      said.textContent = "Enter the admin token first."
      byId("admin-token").focus()
      return
    }
    const approve = button.dataset.decide === "approve"
    button.disabled = true
    try {
      const response = await fetch(approve ? "/api/approvals" : "/api/rejections", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer " + secret },
        body: JSON.stringify({ ids: [button.dataset.id] })
      })
      const answer = await response.json().catch(() => ({}))
      if (response.status === 401) sessionStorage.removeItem(tokenKey)
      said.textContent = response.ok
        ? (approve ? "Approved " : "Rejected ") + button.dataset.id + (approve ? ": a pass applies it now." : ".")
        : "Refused (" + response.status + "): " + (answer.error ?? response.statusText)
    } catch {
      said.textContent = "The daemon does not answer."
    }
    showAdmin()
    refresh()
  })

  // Keeping current ---------------------------------------------------------------------------------
  let treeVersion = null
  const changed = () => {
    showAdmin()
    const version = document.querySelector("[data-tree-version]")
    if (tree !== null && version !== null && version.dataset.treeVersion !== treeVersion) {
      treeVersion = version.dataset.treeVersion
      loadTree()
    }
  }

  let timer
  let running = false
  const refresh = async () => {
    clearTimeout(timer)
    if (running) return
    running = true
    try {
      const response = await fetch(location.pathname, { cache: "no-store" })
      const page = new DOMParser().parseFromString(await response.text(), "text/html")
      for (const live of document.querySelectorAll("[data-live]")) {
        const fresh = page.getElementById(live.id)
        if (fresh !== null) live.innerHTML = fresh.innerHTML
      }
      document.title = page.title
      document.body.classList.remove("offline")
      changed()
    } catch {
      document.body.classList.add("offline")
    }
    running = false
    timer = setTimeout(refresh, 2000)
  }
  changed()
  timer = setTimeout(refresh, 2000)
})()
`
