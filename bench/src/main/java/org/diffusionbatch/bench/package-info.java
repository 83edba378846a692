package org.diffusionbatch.bench;
