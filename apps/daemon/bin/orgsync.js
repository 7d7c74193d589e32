#!/usr/bin/env node
import "../bundle/orgsync.js"
