export * as Org from "./Org.js"
